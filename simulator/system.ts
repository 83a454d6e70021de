import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { KubeObject } from '../kinds/model/objects.ts';
import { resolveSystem, type ResolvedSystem, type SystemManifests } from '../kinds/system.ts';
import type { ManifestsSource } from '../manifests/files.ts';
import { harnessSystemManifests, loadHarnessManifests } from '../manifests/index.ts';
import type { Scenario } from '../scenarios/index.ts';
import { DEFAULT_COST, type CostModel } from './cost.ts';

/**
 * Everything the simulator models. The system comes from `kinds/system.ts`, the one scenario +
 * manifests resolution the replay uses too, fed with the files of manifests/base (the simulator
 * renders no overlay: the local overlay changes only the exporter's endpoint and credentials). The
 * simulator adds its cost model.
 */
/** The resolved system (`kinds/system.ts`) without the HPA object the simulator does not read, plus its cost model. */
export type SystemConfig = Omit<ResolvedSystem, 'hpaObject'> & { cost: CostModel };

const BASE = fileURLToPath(new URL('../manifests/base/', import.meta.url));
const readYaml = (f: string) => YAML.parse(readFileSync(`${BASE}${f}`, 'utf8')) as KubeObject;

/** The objects of manifests/base the system is resolved from. */
export function baseManifests(): SystemManifests {
  return {
    hpa: readYaml('autoscaling/hpa.yaml'),
    placement: readYaml('autoscaling/elasticworkload.yaml'),
    deployment: readYaml('workload/deployment.yaml'),
    serviceMonitor: readYaml('exporter/servicemonitor.yaml'),
    source: 'manifests/base',
  };
}

/**
 * The system manifests a run reads: a team's (kustomize directory, folder of YAML or one file; a
 * command's ManifestsSource, or a path of the program's own), discovered and bounded as the replay
 * does it, or the files of manifests/base.
 */
export async function loadSystemManifests(from?: string | ManifestsSource): Promise<SystemManifests> {
  if (from === undefined) return baseManifests();
  return harnessSystemManifests(await loadHarnessManifests(typeof from === 'string' ? { path: from } : { source: from }));
}

function toSystem(r: ReturnType<typeof resolveSystem>): SystemConfig {
  return { scaler: r.scaler, hpa: r.hpa, flags: r.flags, placement: r.placement, ...(r.schedule ? { schedule: r.schedule } : {}), pod: r.pod, nodes: r.nodes, pipeline: r.pipeline, devicesPerReplica: r.devicesPerReplica, sampleEverySeconds: r.sampleEverySeconds, seed: r.seed, cost: DEFAULT_COST };
}

/** The system as manifests/base declares it. */
export function defaultSystem(manifests: SystemManifests = baseManifests()): SystemConfig {
  return toSystem(resolveSystem({}, manifests));
}

/** The system with a scenario's overrides, exactly as the replay applies them. */
export function systemFromScenario(s: Scenario, manifests: SystemManifests = baseManifests()): SystemConfig {
  return toSystem(resolveSystem(s, manifests));
}
