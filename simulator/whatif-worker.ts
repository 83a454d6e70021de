import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenarios/index.ts';
import { growth } from '../scenarios/transforms.ts';
import type { Stepping } from './simulate.ts';
import { applyConfig, type Config, type SweepRow } from './sweep.ts';
import { runConfig } from './whatif-run.ts';
import { systemFromScenario } from './system.ts';
import type { SystemManifests } from '../kinds/system.ts';

const { file, configs, days, growthFactor, stepping, manifests } = workerData as { file: string; configs: Config[]; days?: number; growthFactor?: number; stepping?: Stepping; manifests?: SystemManifests };
const scenario = await loadScenario(file);
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
