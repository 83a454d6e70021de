/**
 * The columnar store's append alone, this checkout's against a baseline commit's side by side:
 * rounds alternate which goes first, so load from other work falls on both alike; medians of wall
 * and CPU rates (CPU: `process.cpuUsage`, this process's threads, GC helpers included — the figure
 * that moves least on a shared machine) and their ratio.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { ColumnarStore, type StoredEvent } from '../../harness/fake-sls/index.ts';
import { median } from '../stats.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STORE = 'harness/fake-sls/columnar.ts';

type Store = { append(project: string, logstore: string, events: StoredEvent[], nowSeconds: number): void };
type MakeStore = new (maxEvents: number, retentionSeconds: number) => Store;

/** The baseline's columnar.ts from git, its relative imports pointed at this checkout's files (the store's own code is what is compared). */
async function baselineStore(ref: string): Promise<MakeStore> {
  const src = String((await execa('git', ['show', `${ref}:${STORE}`], { cwd: REPO })).stdout);
  const dir = join(REPO, 'harness', 'fake-sls');
  const rewritten = src.replace(/from '\.\/([^']+)'/g, (_, f: string) => `from '${pathToFileURL(join(dir, f)).href}'`);
  const file = join(mkdtempSync(join(tmpdir(), 'ebf-bench-baseline-')), 'columnar.mts');
  writeFileSync(file, rewritten);
  return ((await import(pathToFileURL(file).href)) as { ColumnarStore: MakeStore }).ColumnarStore;
}

/** One store filled with `total` events in batches as the server appends them; only append calls are timed. */
function fill(Make: MakeStore, total: number, event: (i: number) => StoredEvent, batch: number): { wall: number; cpu: number } {
  const store = new Make(total + 1, 3600);
  const nowS = Math.floor(Date.now() / 1000);
  let wallMs = 0;
  let cpuUs = 0;
  for (let i = 0; i < total; i += batch) {
    const events = Array.from({ length: Math.min(batch, total - i) }, (_, k) => event(i + k));
    const c = process.cpuUsage();
    const t = performance.now();
    store.append('chat-prod', 'device-heartbeat', events, nowS);
    wallMs += performance.now() - t;
    const d = process.cpuUsage(c);
    cpuUs += d.user + d.system;
  }
  return { wall: total / (wallMs / 1000), cpu: total / (cpuUs / 1e6) };
}

export async function appendSideBySide(o: { baseline: string; rounds: number; total: number; event: (i: number) => StoredEvent; batch: number }): Promise<void> {
  const Base = await baselineStore(o.baseline);
  const runs: Record<'baseline' | 'this', { wall: number; cpu: number }[]> = { baseline: [], this: [] };
  const loads: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const order = r % 2 ? (['this', 'baseline'] as const) : (['baseline', 'this'] as const);
    for (const which of order) runs[which].push(fill(which === 'this' ? ColumnarStore : Base, o.total, o.event, o.batch));
    loads.push(loadavg()[0]!);
  }
  const fmt = (n: number) => `${(n / 1e6).toFixed(2)}M`;
  const med = (which: 'baseline' | 'this', k: 'wall' | 'cpu') => median(runs[which].map((x) => x[k]));
  console.log(`columnar append, ${o.total.toLocaleString('en')} events per run, ${o.rounds} alternating rounds (load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)})`);
  for (const which of ['baseline', 'this'] as const) {
    const label = which === 'baseline' ? `baseline ${o.baseline}` : 'this checkout';
    console.log(`  ${label.padEnd(24)} median ${fmt(med(which, 'wall'))} events/s wall, ${fmt(med(which, 'cpu'))} per CPU second   runs: ${runs[which].map((x) => fmt(x.wall)).join(' ')}`);
  }
  console.log(`  ratio this / baseline: wall ×${(med('this', 'wall') / med('baseline', 'wall')).toFixed(2)}, CPU ×${(med('this', 'cpu') / med('baseline', 'cpu')).toFixed(2)}   (goal ≥ 1,000,000 events/s)`);
}
