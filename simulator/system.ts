import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { KubeObject } from '../kinds/model/objects.ts';
import { resolveSystem, type ResolvedSystem, type SystemManifests } from '../kinds/system.ts';
import type { ManifestsSource } from '../manifests/files.ts';
import { harnessSystemManifests, loadHarnessManifests } from '../manifests/index.ts';
import type { Scenario } from '../scenarios/index.ts';
import { cpuCores, memoryGiB } from '../core/units.ts';
import { UserError } from '../core/errors.ts';
import { resolvePrices, type Prices } from '../core/prices.ts';
import { ecsRate, measureSettings, type CostBasis, type RunBasis } from '../core/checks/measures.ts';
import { timelineTiers } from '../core/checks/tiers.ts';
import { placementKind } from '../kinds/registry.ts';

/**
 * Everything the simulator models. The system comes from `kinds/system.ts`, the one scenario +
 * manifests resolution the replay uses too, fed with the files of manifests/base (the simulator
 * renders no overlay: the local overlay changes only the exporter's endpoint and credentials). The
 * simulator adds the prices (the scenario's `cost:` over the built-in ones, `core/prices.ts`).
 */
/** The resolved system (`kinds/system.ts`) without the HPA object the simulator does not read, plus its prices. */
export type SystemConfig = Omit<ResolvedSystem, 'hpaObject'> & { cost: Prices };

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

function toSystem(r: ReturnType<typeof resolveSystem>, cost: Scenario['cost']): SystemConfig {
  const sys: SystemConfig = { scaler: r.scaler, hpa: r.hpa, flags: r.flags, placement: r.placement, ...(r.schedule ? { schedule: r.schedule } : {}), pod: r.pod, nodes: r.nodes, ...(r.queryResolutionSeconds ? { queryResolutionSeconds: r.queryResolutionSeconds } : {}), pipeline: r.pipeline, devicesPerReplica: r.devicesPerReplica, sampleEverySeconds: r.sampleEverySeconds, seed: r.seed, cost: pricesFor(cost, r) };
  // A price for a pool that does not exist (a typo) would leave the real pool on the estimate unnoticed.
  const pools = sys.nodes.ecs.map((p) => p.name);
  sys.cost.ecs.forEach((e, i) => {
    if (e.pool !== undefined && !pools.includes(e.pool)) throw new UserError(`cost.ecs[${i}].pool: no ECS node pool named "${e.pool}"`, `the pools are ${pools.map((p) => `"${p}"`).join(', ') || 'none'} (nodes.ecs[].name in the scenario)`);
  });
  // A pool without a price in a currency other than the estimate's is refused now, not after a sweep.
  ecsRate(costBasis(sys));
  return sys;
}

/** A scenario's `cost:` (with a `--cost FILE` already laid over it) over the built-in prices; the region defaults to the ECI node's. */
export function pricesFor(cost: Scenario['cost'], sys: Pick<ResolvedSystem, 'nodes'>): Prices {
  return resolvePrices([cost], { region: sys.nodes.eci.region });
}

/** What the cost of a run is computed from: the prices, one pod's requests and the ECS pools. */
export function costBasis(sys: Pick<ResolvedSystem, 'pod' | 'nodes'> & { cost: Prices }): CostBasis {
  return {
    prices: sys.cost,
    pod: { vcpu: sys.pod.vcpu, memoryGiB: sys.pod.memoryGiB },
    ecsPools: sys.nodes.ecs.map((p) => ({ name: p.name, instanceType: p.instanceType, count: p.count, vcpu: cpuCores(p.cpu), memoryGiB: memoryGiB(p.memory) })),
  };
}

/**
 * How a run of `scenario` on `sys` is measured — the reaction settings its reactionTime expectation
 * checks and its cost basis — for the checks, the summary, the baseline diff and the report alike.
 */
export function runBasis(scenario: Pick<Scenario, 'expectations' | 'cost'>, sys: Pick<ResolvedSystem, 'pod' | 'nodes' | 'hpa'> & { placement?: { kind: string } }): RunBasis {
  // The tiers in the placement kind's words: the checks' messages and the cost per tier speak them.
  const tiers = timelineTiers(sys.placement ? placementKind(sys.placement.kind).words : undefined);
  return { settings: measureSettings(scenario.expectations, sys.hpa.maxReplicas), cost: costBasis({ ...sys, cost: pricesFor(scenario.cost, sys) }), hpaMaxReplicas: sys.hpa.maxReplicas, tiers };
}

/** The system as manifests/base declares it. */
export function defaultSystem(manifests: SystemManifests = baseManifests()): SystemConfig {
  return toSystem(resolveSystem({}, manifests), undefined);
}

/** The system with a scenario's overrides, exactly as the replay applies them. */
export function systemFromScenario(s: Scenario, manifests: SystemManifests = baseManifests()): SystemConfig {
  return toSystem(resolveSystem(s, manifests), s.cost);
}
