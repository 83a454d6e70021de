import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenarios/index.ts';
import { growth } from '../scenarios/transforms.ts';
import { systemFromScenario } from '../simulator/index.ts';
import type { SystemManifests } from '../kinds/system.ts';
import type { PricesInput } from '../core/prices.ts';
import { applyCandidate, outcomeOf } from './evaluate.ts';
import { applyPolicy, policyOf, searchFamilies, type FamilyFound, type Variant } from './families.ts';
import { search, type Found, type Grid } from './search.ts';

/**
 * One part of the search in a worker thread: the scenario loaded as the command loaded it. With
 * `variants`, the families' variants of index ≡ part (mod parts), else the grid's every part-th pool.
 */
const w = workerData as { file: string; manifests: SystemManifests; cost?: PricesInput; growth?: number; grid: Grid; minSlo: number; seed: Found | null; part: { index: number; of: number }; variants?: Variant[]; familySeed?: FamilyFound | null; timeZone?: string; hpa?: { name: string; namespace?: string } };
const scenario = await loadScenario(w.file, { allowOutsideManifests: true });
if (w.cost) scenario.cost = w.cost;
if (w.growth !== undefined && w.growth !== 1) scenario.curve = growth(scenario.curve, w.growth);
const base = systemFromScenario(scenario, w.manifests);
if (w.variants) {
  const mine = w.variants.filter((_, i) => i % w.part.of === w.part.index);
  const opts = { timeZone: w.timeZone ?? 'UTC', hpa: w.hpa ?? { name: 'hpa' } };
  parentPort!.postMessage(searchFamilies(w.grid, mine, (v, c) => outcomeOf(scenario, applyPolicy(base, policyOf(v, c), opts), {}), { minSlo: w.minSlo, seed: w.familySeed ?? null }));
} else {
  parentPort!.postMessage(search(w.grid, (c) => outcomeOf(scenario, applyCandidate(base, c), {}), { minSlo: w.minSlo, seed: w.seed, part: w.part }));
}
