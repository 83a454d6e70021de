import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenarios/index.ts';
import { growth } from '../scenarios/transforms.ts';
import { simulate, type Stepping } from './simulate.ts';
import { applyConfig, type Config } from './sweep.ts';
import { systemFromScenario } from './system.ts';
import type { SystemManifests } from '../harness/replay/resolve.ts';

const { file, configs, days, growthFactor, stepping, manifests } = workerData as { file: string; configs: Config[]; days?: number; growthFactor?: number; stepping?: Stepping; manifests?: SystemManifests };
const scenario = await loadScenario(file);
if (growthFactor && growthFactor !== 1) scenario.curve = growth(scenario.curve, growthFactor);
const base = systemFromScenario(scenario, manifests);
for (const config of configs) {
  const { summary } = simulate(scenario, applyConfig(base, config), { days, timeline: false, ...(stepping ? { stepping } : {}) });
  parentPort!.postMessage({ config, summary });
}
