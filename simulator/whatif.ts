import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { SweepRow, Config } from './sweep.ts';
import type { Stepping } from './simulate.ts';
import type { SystemManifests } from '../kinds/system.ts';
import type { PricesInput } from '../core/prices.ts';

/** Runs configurations across worker threads (each loads the scenario once); rows in input order. */
export async function runSweep(opts: { file: string; configs: Config[]; days?: number; growth?: number; workers?: number; stepping?: Stepping; manifests?: SystemManifests; cost?: PricesInput; onRow?: (done: number, total: number) => void }): Promise<SweepRow[]> {
  const n = Math.max(1, Math.min(opts.workers ?? availableParallelism(), opts.configs.length));
  const chunks: Config[][] = Array.from({ length: n }, () => []);
  opts.configs.forEach((c, i) => chunks[i % n]!.push(c));
  const rows: SweepRow[] = [];
  let done = 0;
  await Promise.all(
    chunks.map(
      (configs) =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(new URL('./whatif-worker.mjs', import.meta.url), { workerData: { file: opts.file, configs, days: opts.days, growthFactor: opts.growth, stepping: opts.stepping, manifests: opts.manifests, cost: opts.cost } });
          w.on('message', (batch: SweepRow[]) => {
            for (const r of batch) {
              rows.push(r);
              opts.onRow?.(++done, opts.configs.length);
            }
          });
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`what-if worker exited with ${code}`))));
        }),
    ),
  );
  const key = (c: Config) => JSON.stringify(c);
  const order = new Map(opts.configs.map((c, i) => [key(c), i]));
  // Each row's key once, not twice per comparison.
  const at = new Map(rows.map((r) => [r, order.get(key(r.config))!]));
  return rows.sort((a, b) => at.get(a)! - at.get(b)!);
}
