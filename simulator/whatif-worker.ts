import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenarios/index.ts';
import { growth } from '../scenarios/transforms.ts';
import type { Stepping } from './simulate.ts';
import { applyConfig, type Config, type SweepRow } from './sweep.ts';
import { runConfig } from './whatif-run.ts';
import { systemFromScenario } from './system.ts';
import type { SystemManifests } from '../kinds/system.ts';
import type { PricesInput } from '../core/prices.ts';

const { file, configs, days, growthFactor, stepping, manifests, cost } = workerData as { file: string; configs: Config[]; days?: number; growthFactor?: number; stepping?: Stepping; manifests?: SystemManifests; cost?: PricesInput };
const scenario = await loadScenario(file);
// The prices the command resolved (the scenario's cost: with a --cost FILE laid over it).
if (cost) scenario.cost = cost;
if (growthFactor && growthFactor !== 1) scenario.curve = growth(scenario.curve, growthFactor);
const base = systemFromScenario(scenario, manifests);
// Rows go back in batches: one message per row cost the main thread (which shares the cores) more
// than a day's simulation once the simulation got fast.
const BATCH = 256;
let batch: SweepRow[] = [];
for (const config of configs) {
  batch.push({ config, ...runConfig(scenario, applyConfig(base, config), { days, ...(stepping ? { stepping } : {}) }) });
  if (batch.length === BATCH) {
    parentPort!.postMessage(batch);
    batch = [];
  }
}
if (batch.length) parentPort!.postMessage(batch);
