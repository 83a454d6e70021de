import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario, type Scenario } from '../scenarios/index.ts';
import { growth } from '../scenarios/transforms.ts';
import { systemFromScenario } from '../simulator/index.ts';
import type { SystemManifests } from '../kinds/system.ts';
import type { PricesInput } from '../core/prices.ts';
import { applyCandidate, outcomeOf } from './evaluate.ts';
import { applyPolicy, policyOf, searchFamilies, type FamilyFound, type Variant } from './families.ts';
import { search, type Found, type Grid, type Outcome } from './search.ts';
import { aggregate, dayScenario, fromDayData, type DayData } from './days.ts';

/**
 * One part of the search in a worker thread: the scenario loaded as the command loaded it. With
 * `variants`, the families' variants of index ≡ part (mod parts), else the grid's every part-th pool.
 * With `days`, every candidate runs on each day searched on (advise/days.ts aggregates them).
 */
const w = workerData as { file: string; manifests: SystemManifests; cost?: PricesInput; growth?: number; grid: Grid; minSlo: number; seed: Found | null; part: { index: number; of: number }; variants?: Variant[]; familySeed?: FamilyFound | null; timeZone?: string; hpa?: { name: string; namespace?: string }; days?: DayData[] };
const scenario = await loadScenario(w.file, { allowOutsideManifests: true });
if (w.cost) scenario.cost = w.cost;
if (w.growth !== undefined && w.growth !== 1) scenario.curve = growth(scenario.curve, w.growth);
const base = systemFromScenario(scenario, w.manifests);
const dayScenarios = w.days?.map((d) => dayScenario(scenario, fromDayData(d), w.growth));
const onEach = (run: (s: Scenario) => Outcome): Outcome => (dayScenarios ? aggregate(dayScenarios.map(run)) : run(scenario));
if (w.variants) {
  const mine = w.variants.filter((_, i) => i % w.part.of === w.part.index);
  const opts = { timeZone: w.timeZone ?? 'UTC', hpa: w.hpa ?? { name: 'hpa' } };
  parentPort!.postMessage(searchFamilies(w.grid, mine, (v, c) => onEach((s) => outcomeOf(s, applyPolicy(base, policyOf(v, c), opts), {})), { minSlo: w.minSlo, seed: w.familySeed ?? null }));
} else {
  parentPort!.postMessage(search(w.grid, (c) => onEach((s) => outcomeOf(s, applyCandidate(base, c), {})), { minSlo: w.minSlo, seed: w.seed, part: w.part }));
}
