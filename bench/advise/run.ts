/**
 * `ebbflow advise`'s search speed and saving on the shipped weekday (scenarios/weekday.yaml, the
 * shipped manifests/base): candidate policies explored per second and wall time, medians of the
 * runs, with the load average beside each run because the machine may be shared; on one day (the
 * scenario's curve) and on a history of several days (`advise --history`, every day searched on:
 * the weekday × 1, 0.97, 1.05, … as `curve pull` would write it), so the cost of a day of history
 * shows; then the saving of the recommendation over today's policy.
 *
 *   npm run bench:advise -- [--runs 3] [--workers N] [--days 1,3] [--grid full|small]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { loadScenario, type Scenario } from '../../scenarios/index.ts';
import { systemFromScenario } from '../../simulator/index.ts';
import { baseManifests } from '../../simulator/system.ts';
import { ecsPodCapacity } from '../../kinds/system.ts';
import { currentCandidate, defaultGrid, outcomeOf } from '../../advise/evaluate.ts';
import { searchInWorkers } from '../../advise/parallel.ts';
import { gridSize, type SearchResult } from '../../advise/search.ts';
import { aggregate } from '../../advise/days.ts';
import { loadHistory, type History } from '../../advise/history.ts';
import { median } from '../stats.ts';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '3' }, workers: { type: 'string' }, days: { type: 'string', default: '1,3' }, grid: { type: 'string', default: 'full' } } });
const runs = Number(flags.runs);
const workers = flags.workers === undefined ? availableParallelism() : Number(flags.workers);
const dayCounts = flags.days.split(',').map(Number);
const size = flags.grid === 'small' ? 'small' : 'full';
const file = fileURLToPath(new URL('../../scenarios/weekday.yaml', import.meta.url));
const scenario = await loadScenario(file);
const manifests = baseManifests();
const base = systemFromScenario(scenario, manifests);
const current = currentCandidate(base);
const pool = base.nodes.ecs[0]!;
const grid = defaultGrid(current, { podsPerNode: ecsPodCapacity({ ecs: [{ ...pool, count: 1 }] }, base.pod), hasOverflowTier: true, size });
const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-bench-advise-'));

/** n days of the weekday, dated from 2026-01-05, as `curve pull` writes them (UTC rows, one a minute), at the scenario's scale. */
function historyFile(n: number): string {
  const rows = readFileSync(fileURLToPath(new URL('../../scenarios/curves/weekday.csv', import.meta.url)), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const lines = ['time,devices'];
  for (let d = 0; d < n; d++) {
    // Days that differ as a week's do: a few percent either way.
    const f = [1, 0.97, 1.05, 0.92, 1.02, 0.6, 0.55][d % 7]!;
    const date = new Date(Date.UTC(2026, 0, 5 + d)).toISOString().slice(0, 10);
    for (const [t, v] of rows) if (t !== '24:00') lines.push(`${date}T${t}:00Z,${Math.round(Number(v) * 0.008 * f)}`);
  }
  const out = join(tmp, `history-${n}.csv`);
  writeFileSync(out, `${lines.join('\n')}\n`);
  return out;
}

/** The runs on one day (the scenario's curve) or on an n-day history, with their medians. */
async function bench(days: number): Promise<void> {
  const hist: History | undefined = days > 1 ? await loadHistory(historyFile(days), scenario, { holdout: 0 }) : undefined;
  const on: Scenario[] = hist ? hist.train : [scenario];
  const now = aggregate(on.map((s) => outcomeOf(s, base, {})));
  const seed = now.passed ? { candidate: current, outcome: now } : null;
  console.log(`\nweekday, ${days} day(s): ${gridSize(grid).toLocaleString('en-US')} candidate policies (${size} grid), ${workers} worker(s); current ${JSON.stringify(current)}: ${now.cost.toFixed(2)} ${base.cost.currency}/day (mean), SLO coverage ${now.sloCoverage.toFixed(1)} % (worst day)`);
  const seconds: number[] = [];
  const rates: number[] = [];
  // CPU seconds of the process (the worker threads included): on a shared machine the steadier figure.
  const cpus: number[] = [];
  let last: SearchResult | undefined;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c0 = process.cpuUsage();
    last = await searchInWorkers({ file, manifests, grid, minSlo: now.sloCoverage, seed, workers, ...(hist ? { days: hist.trainData } : {}) });
    const s = (performance.now() - t) / 1000;
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
    seconds.push(s);
    rates.push(last.explored / s);
    console.log(`run ${i + 1}: ${s.toFixed(1)} s, ${last.explored.toLocaleString('en-US')} explored, ${last.simulated.toLocaleString('en-US')} simulated, ${Math.round(last.explored / s).toLocaleString('en-US')} explored/s, ${cpus.at(-1)!.toFixed(0)} CPU s (load ${loadavg()[0]!.toFixed(1)})`);
  }
  const [wall, rate, cpu] = [median(seconds), median(rates), median(cpus)];
  // The goal is per day of history (each candidate runs on every day): ≥ 1,000,000 candidate-days in 60 s.
  console.log(`median of ${runs}: ${wall.toFixed(1)} s wall (${(wall / days).toFixed(1)} s per day of history), ${cpu.toFixed(0)} CPU s (${(cpu / days).toFixed(0)} per day), ${Math.round(rate).toLocaleString('en-US')} candidates explored per second, ${Math.round(rate * days).toLocaleString('en-US')} candidate-days per second: ${Math.round(rate * days * 60).toLocaleString('en-US')} per 60 s (goal ≥ 1,000,000 candidates per day of history in ≤ 60 s)`);
  const best = last?.best;
  if (best) console.log(`recommended ${JSON.stringify(best.candidate)}: ${best.outcome.cost.toFixed(2)} ${base.cost.currency}/day (mean), SLO coverage ${best.outcome.sloCoverage.toFixed(1)} % (worst day); saving ${(((now.cost - best.outcome.cost) / now.cost) * 100).toFixed(1)} % (AHPA claims > 20 %)`);
  else console.log('no candidate passes');
  if (days !== 1) return;
  // The built-in ECS price is an estimate: the saving with today's pool held, from the HPA and the ECS tier's max alone.
  const held = await searchInWorkers({ file, manifests, grid: { ...grid, ecsNodes: [current.ecsNodes] }, minSlo: now.sloCoverage, seed, workers });
  if (held.best) console.log(`with the ECS pool held at ${current.ecsNodes} nodes: ${JSON.stringify(held.best.candidate)}: ${held.best.outcome.cost.toFixed(2)} ${base.cost.currency}/day, SLO coverage ${held.best.outcome.sloCoverage.toFixed(1)} %; saving ${(((now.cost - held.best.outcome.cost) / now.cost) * 100).toFixed(1)} %`);
}

try {
  for (const d of dayCounts) await bench(d);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
