/**
 * Simulator speed: time per simulated day (summary only, and with the full timeline), and a
 * one-day what-if sweep across worker threads — precomputed stepping (the default) side by side
 * with event stepping (the previous default) and fixed stepping (every step recomputed, the
 * reference), all in this process on this machine. Figures only; the load average is printed with
 * each figure because the machine may be shared.
 *
 *   npm run bench:simulator -- [runs=20] [configs=100000] [baselineConfigs=configs] [sweeps=1] [fixedConfigs=0]
 */
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import { loadScenario } from '../../scenarios/index.ts';
import { parseVary, product, runSweep, simulate, systemFromScenario, type Stepping } from '../../simulator/index.ts';
import { median } from '../stats.ts';

const arg = (i: number, d: number) => (process.argv[i] === undefined ? d : Number(process.argv[i]));
const runs = arg(2, 20);
const nConfigs = arg(3, 100_000);
const nBaseline = arg(4, nConfigs);
const sweeps = arg(5, 1);
const nFixed = arg(6, 0);
const file = fileURLToPath(new URL('../../scenarios/smoke.yaml', import.meta.url));
const s = await loadScenario(file);
const sys = systemFromScenario(s);
const modes = ['precomputed', 'event', 'fixed'] as const satisfies readonly Stepping[];
const load = () => loadavg()[0]!.toFixed(1);

// The steppings alternate run by run, so a shared machine's load weighs on them alike.
const perDay = (timeline: boolean): Record<Stepping, number> => {
  const ms: Record<Stepping, number[]> = { precomputed: [], event: [], fixed: [] };
  for (let i = 0; i < 10; i++) for (const stepping of modes) simulate(s, sys, { days: 1, timeline, stepping }); // warm-up (JIT)
  for (let i = 0; i < runs; i++) {
    for (const stepping of modes) {
      const t = performance.now();
      simulate(s, sys, { days: 1, timeline, stepping });
      ms[stepping].push(performance.now() - t);
    }
  }
  return { precomputed: median(ms.precomputed), event: median(ms.event), fixed: median(ms.fixed) };
};

console.log(`simulator, one day of scenarios/smoke.yaml's curve (15 s HPA sync, 15 s samples), ${runs} runs, medians, load average ${load()}`);
console.log('  stepping      summary only   full timeline');
const [summaryOnly, withTimeline] = [perDay(false), perDay(true)];
for (const m of modes) console.log(`  ${m.padEnd(12)}  ${summaryOnly[m].toFixed(2).padStart(9)} ms   ${withTimeline[m].toFixed(2).padStart(10)} ms   (goal < 5 ms)`);

const configsOf = (n: number) => {
  const side = Math.ceil(Math.sqrt(n));
  return product([parseVary(`sourceMax=0..${side - 1}`), parseVary(`target=500..${500 + (side - 1) * 25}:25`)]).slice(0, n);
};

/** One sweep: wall seconds, and CPU milliseconds per configuration over every thread of the process. */
async function sweep(stepping: Stepping, n: number): Promise<{ secs: number; cpuMs: number; load: string }> {
  const configs = configsOf(n);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await runSweep({ file, configs, days: 1, stepping });
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { secs, cpuMs: (cpu.user + cpu.system) / 1000 / configs.length, load: load() };
}

console.log(`what-if sweep, 1 day per configuration, ${availableParallelism()} threads, ${sweeps} sweep(s) per stepping (median), load average at the end of each:`);
const plan = ([['precomputed', nConfigs], ['event', nBaseline], ['fixed', nFixed]] as const).filter(([, n]) => n > 0);
const results = new Map<Stepping, { secs: number; cpuMs: number; load: string }[]>();
for (let i = 0; i < sweeps; i++) {
  for (const [m, n] of plan) {
    const r = await sweep(m, n);
    results.set(m, [...(results.get(m) ?? []), r]);
  }
}
for (const [m, n] of plan) {
  const rs = results.get(m)!;
  const secs = median(rs.map((r) => r.secs));
  const cpuMs = median(rs.map((r) => r.cpuMs));
  console.log(
    `  ${m.padEnd(12)}  ${n.toLocaleString('en')} configurations in ${secs.toFixed(1)} s → 100,000 ≈ ${(secs * (100_000 / n)).toFixed(1)} s   (goal ≤ 60 s); CPU ${cpuMs.toFixed(3)} ms per configuration; load ${rs.map((r) => r.load).join(', ')}`,
  );
}
