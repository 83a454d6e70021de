import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenarios/index.ts';
import { growth } from '../scenarios/transforms.ts';
import { systemFromScenario } from '../simulator/index.ts';
import type { SystemManifests } from '../kinds/system.ts';
import type { PricesInput } from '../core/prices.ts';
import { applyCandidate, outcomeOf } from './evaluate.ts';
import { search, type Candidate, type Found, type Grid } from './search.ts';
import { dayScenario, fromDayData, onDays, type DayData } from './days.ts';

/** One part of the search in a worker thread: the scenario loaded as the command loaded it. */
const w = workerData as { file: string; manifests: SystemManifests; cost?: PricesInput; growth?: number; grid: Grid; minSlo: number; seed: Found | null; part: { index: number; of: number }; days?: DayData[] };
const scenario = await loadScenario(w.file, { allowOutsideManifests: true });
if (w.cost) scenario.cost = w.cost;
if (w.growth !== undefined && w.growth !== 1) scenario.curve = growth(scenario.curve, w.growth);
const base = systemFromScenario(scenario, w.manifests);
// With a history, every candidate runs on each day searched on (advise/days.ts aggregates them).
const evaluate = w.days ? onDays(w.days.map((d) => dayScenario(scenario, fromDayData(d), w.growth)), (s, c) => outcomeOf(s, applyCandidate(base, c), {})) : (c: Candidate) => outcomeOf(scenario, applyCandidate(base, c), {});
parentPort!.postMessage(search(w.grid, evaluate, { minSlo: w.minSlo, seed: w.seed, part: w.part }));
