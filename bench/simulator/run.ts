/**
 * Simulator speed: time per simulated day (summary only, and with the full timeline), and a
 * 1,000-configuration what-if sweep of one day across worker threads. Figures only.
 *
 *   npm run bench:simulator -- [runs=20] [configs=1000]
 */
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { loadScenario } from '../../scenarios/index.ts';
import { parseVary, product, runSweep, simulate, systemFromScenario } from '../../simulator/index.ts';
import { median } from '../stats.ts';

const runs = Number(process.argv[2] ?? 20);
const nConfigs = Number(process.argv[3] ?? 1000);
const file = fileURLToPath(new URL('../../scenarios/smoke.yaml', import.meta.url));
const s = await loadScenario(file);
const sys = systemFromScenario(s);

for (let i = 0; i < 3; i++) simulate(s, sys, { days: 1, timeline: false }); // warm-up (JIT)
const summaryOnly: number[] = [];
const withTimeline: number[] = [];
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  simulate(s, sys, { days: 1, timeline: false });
  summaryOnly.push(performance.now() - t);
  t = performance.now();
  simulate(s, sys, { days: 1, timeline: true });
  withTimeline.push(performance.now() - t);
}
console.log(`simulator, one day of scenarios/smoke.yaml's curve (15 s HPA sync, 15 s samples), ${runs} runs`);
console.log(`  per day, summary only:  median ${median(summaryOnly).toFixed(2)} ms   (goal < 5 ms)`);
console.log(`  per day, full timeline: median ${median(withTimeline).toFixed(2)} ms`);

const side = Math.ceil(Math.sqrt(nConfigs));
const configs = product([parseVary(`sourceMax=0..${side - 1}`), parseVary(`target=500..${500 + (side - 1) * 25}:25`)]).slice(0, nConfigs);
const t0 = performance.now();
await runSweep({ file, configs, days: 1 });
const secs = (performance.now() - t0) / 1000;
console.log(`what-if sweep: ${configs.length} configurations × 1 day on ${availableParallelism()} threads in ${secs.toFixed(2)} s → 10,000 configurations ≈ ${(secs * (10_000 / configs.length)).toFixed(1)} s   (goal ≤ 60 s)`);
