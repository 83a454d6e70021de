/**
 * `ebbflow advise`'s search speed and saving on the shipped weekday (scenarios/weekday.yaml, the
 * shipped manifests/base): candidate policies explored per second and wall time, medians of the
 * runs, with the load average beside each run because the machine may be shared; then the saving
 * of the recommendation over today's policy.
 *
 *   npm run bench:advise -- [runs=3] [workers=CPU count]
 */
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import { loadScenario } from '../../scenarios/index.ts';
import { systemFromScenario } from '../../simulator/index.ts';
import { baseManifests } from '../../simulator/system.ts';
import { ecsPodCapacity } from '../../kinds/system.ts';
import { currentCandidate, defaultGrid, outcomeOf } from '../../advise/evaluate.ts';
import { searchInWorkers } from '../../advise/parallel.ts';
import { gridSize, type SearchResult } from '../../advise/search.ts';
import { median } from '../stats.ts';

const arg = (i: number, d: number) => (process.argv[i] === undefined ? d : Number(process.argv[i]));
const runs = arg(2, 3);
const workers = arg(3, availableParallelism());
const file = fileURLToPath(new URL('../../scenarios/weekday.yaml', import.meta.url));
const scenario = await loadScenario(file);
const manifests = baseManifests();
const base = systemFromScenario(scenario, manifests);
const current = currentCandidate(base);
const now = outcomeOf(scenario, base, {});
const pool = base.nodes.ecs[0]!;
const grid = defaultGrid(current, { podsPerNode: ecsPodCapacity({ ecs: [{ ...pool, count: 1 }] }, base.pod), hasOverflowTier: true });
console.log(`weekday, 1 day: ${gridSize(grid).toLocaleString('en-US')} candidate policies, ${workers} worker(s); current ${JSON.stringify(current)}: ${now.cost.toFixed(2)} ${base.cost.currency}/day, SLO coverage ${now.sloCoverage.toFixed(1)} %`);
const seconds: number[] = [];
const rates: number[] = [];
let last: SearchResult | undefined;
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  last = await searchInWorkers({ file, manifests, grid, minSlo: now.sloCoverage, seed: now.passed ? { candidate: current, outcome: now } : null, workers });
  const s = (performance.now() - t) / 1000;
  seconds.push(s);
  rates.push(last.explored / s);
  console.log(`run ${i + 1}: ${s.toFixed(1)} s, ${last.explored.toLocaleString('en-US')} explored, ${last.simulated.toLocaleString('en-US')} simulated, ${Math.round(last.explored / s).toLocaleString('en-US')} explored/s (load ${loadavg()[0]!.toFixed(1)})`);
}
console.log(`median: ${median(seconds).toFixed(1)} s wall, ${Math.round(median(rates)).toLocaleString('en-US')} candidates explored per second`);
const best = last?.best;
if (best) {
  const saving = ((now.cost - best.outcome.cost) / now.cost) * 100;
  console.log(`recommended ${JSON.stringify(best.candidate)}: ${best.outcome.cost.toFixed(2)} ${base.cost.currency}/day, SLO coverage ${best.outcome.sloCoverage.toFixed(1)} %; saving ${saving.toFixed(1)} % (AHPA claims > 20 %)`);
} else console.log('no candidate passes');
// The built-in ECS price is an estimate: the saving with today's pool held, from the HPA and the ECS tier's max alone.
const held = await searchInWorkers({ file, manifests, grid: { ...grid, ecsNodes: [current.ecsNodes] }, minSlo: now.sloCoverage, seed: now.passed ? { candidate: current, outcome: now } : null, workers });
if (held.best) console.log(`with the ECS pool held at ${current.ecsNodes} nodes: ${JSON.stringify(held.best.candidate)}: ${held.best.outcome.cost.toFixed(2)} ${base.cost.currency}/day, SLO coverage ${held.best.outcome.sloCoverage.toFixed(1)} %; saving ${(((now.cost - held.best.outcome.cost) / now.cost) * 100).toFixed(1)} %`);
