/**
 * Replay setup and warm-up on the local backend (or `--backend kind`): several short replays (a few virtual minutes of the
 * weekday curve at k), each split by step — when each component (cluster, controller, fake SLS,
 * exporter, Prometheus, adapter, kcm) started and was ready, then the warm-up until the HPA acts —
 * with the load average beside it. Figures only.
 *
 *   npm run bench:setup -- [--runs 3] [--k 600] [--backend local|kind]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendName } from '../../harness/replay/backends/index.ts';
import { runReplay, type SetupTiming } from '../../harness/replay/engine/engine.ts';
import { parseScenario } from '../../scenarios/index.ts';
import { watchLoad, type LoadFigures } from '../fidelity-load.ts';
import { median } from '../stats.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, k: { type: 'string', default: '600' }, backend: { type: 'string', default: 'local' } } });
const backend = args.backend as BackendName;
if (backend !== 'local' && backend !== 'kind') throw new Error('--backend takes local or kind');
const runs = Number(args.runs);
const k = Number(args.k);
if (!(runs >= 1) || !(k >= 1)) throw new Error('--runs and --k take numbers ≥ 1');
const curves = fileURLToPath(new URL('../../scenarios/', import.meta.url));
// Six virtual minutes: the replay itself is under a second at k=600, so the run is almost all setup.
const scenario = await parseScenario(
  `name: bench-setup\ncurve: {file: curves/weekday.csv, transforms: [{scale: 0.008}]}\nwindows: [{start: "09:00", end: "09:06"}]\ncompression: ${k}\nnodes: {ecs: [{name: ecs, count: 3}]}\nhpa: {minReplicas: 1, maxReplicas: 14, target: {type: AverageValue, value: 1000}}\nelasticWorkload: {sourceMax: 2}\n`,
  join(curves, 'bench-setup.yaml'),
);

interface Run {
  setup: number;
  warmup: number;
  total: number;
  steps: SetupTiming[];
  load: LoadFigures;
}

async function once(i: number): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), 'ebf-bench-setup-'));
  const marks: Record<string, number> = {};
  let steps: SetupTiming[] = [];
  const load = watchLoad();
  try {
    await runReplay({
      scenario,
      backend,
      out,
      clusterName: `bench-setup-${i}`,
      onProgress: (p) => {
        marks[p.phase] ??= p.wallSeconds;
        // Every setup and warm-up line with its time: where a step's seconds went, beside the figures.
        if (p.phase === 'setup' || (p.phase === 'warmup' && !marks.replay)) process.stderr.write(`  [${p.wallSeconds.toFixed(1)} s] ${p.phase}: ${p.message.slice(0, 200)}\n`);
        if (p.setupTimings) steps = p.setupTimings;
      },
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const setup = marks.warmup ?? NaN;
  const warmup = (marks.replay ?? NaN) - setup;
  return { setup, warmup, total: setup + warmup, steps, load: load.stop() };
}

const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  const r = await once(i);
  results.push(r);
  console.log(`run ${i + 1}: setup ${r.setup.toFixed(1)} s + warm-up ${r.warmup.toFixed(1)} s = ${r.total.toFixed(1)} s (load avg ${r.load.loadAvgMean.toFixed(1)}, max ${r.load.loadAvgMax.toFixed(1)})`);
  for (const s of r.steps) console.log(`    ${s.component.padEnd(24)} ${s.from.toFixed(2).padStart(6)} → ${s.to.toFixed(2).padStart(6)} s  (${(s.to - s.from).toFixed(2)} s)`);
}
const med = (f: (r: Run) => number) => median(results.map(f)).toFixed(1);
const names = [...new Set(results.flatMap((r) => r.steps.map((s) => s.component)))];
console.log(`\nsetup + warm-up on the ${backend} backend at k=${k}, ${runs} runs (medians):`);
console.log('| setup s | warm-up s | total s | ' + names.map((n) => `${n} s`).join(' | ') + ' | load avg mean / max |');
console.log('|---|---|---|' + names.map(() => '---|').join('') + '---|');
const stepMedian = (n: string) => median(results.map((r) => r.steps.find((s) => s.component === n)).filter((s): s is SetupTiming => s !== undefined).map((s) => s.to - s.from)).toFixed(2);
console.log(`| ${med((r) => r.setup)} | ${med((r) => r.warmup)} | ${med((r) => r.total)} | ${names.map(stepMedian).join(' | ')} | ${med((r) => r.load.loadAvgMean)} / ${med((r) => r.load.loadAvgMax)} |`);
