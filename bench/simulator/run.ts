/**
 * Simulator speed: time per simulated day (summary only, and with the full timeline), and a
 * one-day what-if sweep across worker threads — event stepping (the default) side by side with
 * fixed stepping (every step recomputed, the earlier loop). Figures only.
 *
 *   npm run bench:simulator -- [runs=20] [configs=100000] [fixedConfigs=configs]
 */
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { loadScenario } from '../../scenarios/index.ts';
import { parseVary, product, runSweep, simulate, systemFromScenario } from '../../simulator/index.ts';
import { median } from '../stats.ts';

const runs = Number(process.argv[2] ?? 20);
const nConfigs = Number(process.argv[3] ?? 100_000);
const nFixed = Number(process.argv[4] ?? nConfigs);
const file = fileURLToPath(new URL('../../scenarios/smoke.yaml', import.meta.url));
const s = await loadScenario(file);
const sys = systemFromScenario(s);
const modes = ['event', 'fixed'] as const;

// Both steppings alternate run by run, so a shared machine's load weighs on them alike.
const perDay = (timeline: boolean): Record<(typeof modes)[number], number> => {
  const ms = { event: [] as number[], fixed: [] as number[] };
  for (let i = 0; i < 10; i++) for (const stepping of modes) simulate(s, sys, { days: 1, timeline, stepping }); // warm-up (JIT)
  for (let i = 0; i < runs; i++) {
    for (const stepping of modes) {
      const t = performance.now();
      simulate(s, sys, { days: 1, timeline, stepping });
      ms[stepping].push(performance.now() - t);
    }
  }
  return { event: median(ms.event), fixed: median(ms.fixed) };
};

console.log(`simulator, one day of scenarios/smoke.yaml's curve (15 s HPA sync, 15 s samples), ${runs} runs, medians`);
console.log('  stepping   summary only   full timeline');
const [summaryOnly, withTimeline] = [perDay(false), perDay(true)];
for (const m of modes) console.log(`  ${m.padEnd(9)}  ${summaryOnly[m].toFixed(2).padStart(9)} ms   ${withTimeline[m].toFixed(2).padStart(10)} ms   (goal < 5 ms)`);

const configsOf = (n: number) => {
  const side = Math.ceil(Math.sqrt(n));
  return product([parseVary(`sourceMax=0..${side - 1}`), parseVary(`target=500..${500 + (side - 1) * 25}:25`)]).slice(0, n);
};
console.log(`what-if sweep, 1 day per configuration, ${availableParallelism()} threads:`);
for (const [m, n] of [['event', nConfigs], ['fixed', nFixed]] as const) {
  if (n <= 0) continue;
  const configs = configsOf(n);
  const t0 = performance.now();
  await runSweep({ file, configs, days: 1, stepping: m });
  const secs = (performance.now() - t0) / 1000;
  console.log(`  ${m.padEnd(9)}  ${configs.length.toLocaleString('en')} configurations in ${secs.toFixed(1)} s → 100,000 ≈ ${(secs * (100_000 / configs.length)).toFixed(1)} s   (goal ≤ 60 s)`);
}
