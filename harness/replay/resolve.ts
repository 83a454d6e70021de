import { dirname, resolve as resolvePath } from 'node:path';
import { nodePoolsSchema, type NodePools } from '../../cluster/nodes/config.ts';
import type { ElasticWorkloadSpec } from '../../cluster/elasticworkload/split.ts';
import type { HarnessManifests, KubeObject } from '../../manifests/index.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { UserError } from '../../core/errors.ts';
import { cpuCores, memoryGiB, parseDuration, parseQuantity } from '../../core/units.ts';

/**
 * Scenario + manifests → the system a run models, in one place for the replay and the simulator.
 * Pure (no files, no cluster): the replay hands it the rendered local overlay, the simulator the
 * files of manifests/base. The replay applies the returned HPA and ElasticWorkload objects to the
 * cluster (compressing behavior itself); the simulator uses the numeric view of the same objects.
 */

export interface SystemManifests {
  hpa: KubeObject;
  /** Absent when the HPA scales the Deployment/StatefulSet directly: no split, every pod on ECS. */
  elasticWorkload?: KubeObject;
  /** The ElasticWorkload's source Deployment, or the HPA's own target (the pods' requests). */
  deployment: KubeObject;
  /** The exporter's ServiceMonitor (the scrape interval), unless `scrapeIntervalSeconds` is given. */
  serviceMonitor?: KubeObject;
  /** The scrape interval as discovered (ServiceMonitor, PodMonitor or annotations); wins over `serviceMonitor`. */
  scrapeIntervalSeconds?: number;
  /** What discovery converted or assumed (e.g. a v2beta1 HPA run as v2), for the user to read. */
  warnings?: string[];
  /** Where the objects came from, for messages (e.g. "manifests/overlays/local"). */
  source: string;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[];
  tolerance?: number;
}
export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}
export interface ObjectMetricTarget {
  type: 'Value' | 'AverageValue';
  target: number;
}

export interface PipelineConstants {
  slsWindowSeconds: number;
  exporterIntervalSeconds: number;
  scrapeIntervalSeconds: number;
  adapterRelistSeconds: number;
}

export interface ResolvedSystem {
  hpa: { minReplicas: number; maxReplicas: number; metrics: ObjectMetricTarget[]; behavior?: Behavior };
  /** The manifests' HPA with the scenario's overrides, behavior not compressed. */
  hpaObject: KubeObject;
  flags: { tolerance: number; downscaleStabilizationSeconds: number; syncPeriodSeconds: number };
  ew: ElasticWorkloadSpec;
  /** The manifests' ElasticWorkload with the scenario's overrides; absent when the HPA scales the workload directly. */
  ewObject?: KubeObject;
  pod: { vcpu: number; memoryGiB: number };
  nodes: NodePools;
  pipeline: PipelineConstants;
  devicesPerReplica: number;
  sampleEverySeconds: number;
  seed: number;
}

/** What a scenario may override; every field optional so the bare manifests resolve too. */
export type ScenarioOverrides = Partial<Pick<Scenario, 'file' | 'hpa' | 'elasticWorkload' | 'nodes' | 'devicesPerReplica' | 'sampleEverySeconds' | 'seed'>> & {
  pipeline?: Partial<Scenario['pipeline']>;
};

/** kube-controller-manager's own defaults (flags --horizontal-pod-autoscaler-*). */
export const KCM_DEFAULTS = { tolerance: 0.1, downscaleStabilizationSeconds: 300, syncPeriodSeconds: 15 } as const;
/** prometheus-operator scrapes an endpoint without `interval` at the Prometheus default it sets, 30 s. */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 30;
export const PIPELINE_DEFAULTS = { slsWindowSeconds: 60, exporterIntervalSeconds: 15, adapterRelistSeconds: 30 } as const;
/** Requests assumed for a workload whose containers state none (the manifests' nginx asks 500m / 512Mi). */
const DEFAULT_REQUESTS = { cpu: '500m', memory: '512Mi' };

/** The objects `resolveSystem` reads, from the rendered local overlay. */
export function harnessSystemManifests(m: HarnessManifests): SystemManifests {
  return {
    hpa: m.hpa,
    ...(m.elasticWorkload ? { elasticWorkload: m.elasticWorkload } : {}),
    deployment: m.businessDeployment,
    scrapeIntervalSeconds: m.scrape.intervalSeconds,
    source: m.source ?? 'manifests/overlays/local',
    ...(m.warnings?.length ? { warnings: m.warnings } : {}),
  };
}

/** The manifests a run reads: the CLI's --manifests wins over the scenario's `manifests:` (relative to the scenario file). */
export function manifestsPathFor(s: { file: string; manifests?: string }, flag: string | undefined): string | undefined {
  if (flag !== undefined) return flag;
  return s.manifests === undefined ? undefined : resolvePath(dirname(s.file), s.manifests);
}

/**
 * Without an ElasticWorkload the HPA scales the workload itself: modelled as a source with no units
 * and no cap below the HPA's max, so nothing is split and every pod asks for an ECS node.
 */
function directEw(deployment: KubeObject, hpaObject: KubeObject): KubeObject {
  const max = (hpaObject.spec as HpaSpecObject).maxReplicas;
  return {
    apiVersion: 'autoscaling.alibabacloud.com/v1beta1',
    kind: 'ElasticWorkload',
    metadata: { name: deployment.metadata.name, ...(deployment.metadata.namespace ? { namespace: deployment.metadata.namespace } : {}) },
    spec: { sourceTarget: { name: deployment.metadata.name, kind: deployment.kind, apiVersion: deployment.apiVersion, min: 0, max }, replicas: 1, elasticUnit: [] },
  };
}

function noEwOverrides(s: ScenarioOverrides, m: SystemManifests): void {
  const o = s.elasticWorkload ?? {};
  const set = (Object.keys(o) as (keyof typeof o)[]).filter((k) => o[k] !== undefined);
  if (set.length) {
    throw new UserError(`${s.file ?? 'scenario'}: elasticWorkload.${set[0]}: the manifests (${m.source}) have no ElasticWorkload — the HPA scales ${m.deployment.kind} ${m.deployment.metadata.name} directly`, 'remove elasticWorkload from the scenario, or add an ElasticWorkload to the manifests');
  }
}

export function resolveSystem(s: ScenarioOverrides, m: SystemManifests): ResolvedSystem {
  const file = s.file ?? 'scenario';
  const hpaObject = hpaWithOverrides(m.hpa, s, file);
  if (!m.elasticWorkload) noEwOverrides(s, m);
  const ewObject = m.elasticWorkload ? ewWithOverrides(m.elasticWorkload, s, file) : undefined;
  const h = s.hpa ?? {};
  return {
    hpa: numericHpa(hpaObject, m.source),
    hpaObject,
    flags: {
      tolerance: h.tolerance ?? KCM_DEFAULTS.tolerance,
      downscaleStabilizationSeconds: h.downscaleStabilizationSeconds ?? KCM_DEFAULTS.downscaleStabilizationSeconds,
      syncPeriodSeconds: h.syncPeriodSeconds ?? KCM_DEFAULTS.syncPeriodSeconds,
    },
    ew: structuredClone((ewObject ?? directEw(m.deployment, hpaObject)).spec) as ElasticWorkloadSpec,
    ...(ewObject ? { ewObject } : {}),
    pod: podRequests(m.deployment, m.source),
    nodes: structuredClone(s.nodes ?? nodePoolsSchema.parse({})),
    pipeline: {
      slsWindowSeconds: s.pipeline?.slsWindowSeconds ?? PIPELINE_DEFAULTS.slsWindowSeconds,
      exporterIntervalSeconds: s.pipeline?.exporterIntervalSeconds ?? PIPELINE_DEFAULTS.exporterIntervalSeconds,
      scrapeIntervalSeconds: s.pipeline?.scrapeIntervalSeconds ?? m.scrapeIntervalSeconds ?? scrapeInterval(m.serviceMonitor, m.source),
      adapterRelistSeconds: s.pipeline?.adapterRelistSeconds ?? PIPELINE_DEFAULTS.adapterRelistSeconds,
    },
    devicesPerReplica: s.devicesPerReplica ?? 1000,
    sampleEverySeconds: s.sampleEverySeconds ?? 15,
    seed: s.seed ?? 1,
  };
}

interface HpaSpecObject {
  minReplicas?: number;
  maxReplicas: number;
  metrics?: { type: string; object?: { metric: { name: string }; target: { type: string; value?: string | number; averageValue?: string | number } } }[];
  behavior?: Behavior & Record<string, unknown>;
}

/** The scenario's min/max, target (on the first Object metric; the others are kept) and behavior. */
export function hpaWithOverrides(base: KubeObject, s: ScenarioOverrides, file: string): KubeObject {
  const hpa = structuredClone(base) as KubeObject & { spec: HpaSpecObject };
  const o = s.hpa ?? {};
  if (o.minReplicas !== undefined) hpa.spec.minReplicas = o.minReplicas;
  if (o.maxReplicas !== undefined) hpa.spec.maxReplicas = o.maxReplicas;
  if (o.target) {
    const metric = hpa.spec.metrics?.find((x) => x.type === 'Object');
    if (!metric?.object) throw new UserError(`${file}: hpa.target: the manifests' HPA ${hpa.metadata.name} has no Object metric to override`, 'remove hpa.target or add an Object metric to the HPA manifest');
    metric.object.target = o.target.type === 'Value' ? { type: 'Value', value: String(o.target.value) } : { type: 'AverageValue', averageValue: String(o.target.value) };
  }
  if (o.behavior) hpa.spec.behavior = structuredClone(o.behavior);
  const min = hpa.spec.minReplicas ?? 1;
  if (min > hpa.spec.maxReplicas) throw new UserError(`${file}: hpa: minReplicas ${min} is above maxReplicas ${hpa.spec.maxReplicas}`);
  return hpa;
}

function numericHpa(hpa: KubeObject, source: string): ResolvedSystem['hpa'] {
  const spec = hpa.spec as HpaSpecObject;
  const metrics = (spec.metrics ?? []).flatMap((m, i): ObjectMetricTarget[] => {
    if (m.type !== 'Object' || !m.object) return [];
    const t = m.object.target;
    const field = `${source}: HorizontalPodAutoscaler ${hpa.metadata.name}: spec.metrics[${i}].object.target`;
    if (t.type === 'Value') return [{ type: 'Value', target: quantity(t.value, `${field}.value`) }];
    if (t.type === 'AverageValue') return [{ type: 'AverageValue', target: quantity(t.averageValue, `${field}.averageValue`) }];
    throw new UserError(`${field}.type: "${t.type}" is not Value or AverageValue`);
  });
  if (!metrics.length) throw new UserError(`${source}: HorizontalPodAutoscaler ${hpa.metadata.name} has no Object metric`, 'the pipeline feeds an Object metric (active_devices on the Service)');
  const behavior = spec.behavior ? numericBehavior(spec.behavior, `${source}: HorizontalPodAutoscaler ${hpa.metadata.name}: spec.behavior`) : undefined;
  return { minReplicas: spec.minReplicas ?? 1, maxReplicas: spec.maxReplicas, metrics, ...(behavior ? { behavior } : {}) };
}

/** Behavior as numbers: a manifest's tolerance is a quantity string ("50m"), the scenario's a number. */
function numericBehavior(b: Behavior & Record<string, unknown>, field: string): Behavior {
  const out = structuredClone(b) as Behavior;
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    const t = (b[dir] as { tolerance?: unknown } | undefined)?.tolerance;
    if (t !== undefined) out[dir]!.tolerance = quantity(t as string | number, `${field}.${dir}.tolerance`);
  }
  return out;
}

export function ewWithOverrides(base: KubeObject, s: ScenarioOverrides, file: string): KubeObject {
  const ew = structuredClone(base) as KubeObject & { spec: ElasticWorkloadSpec };
  const o = s.elasticWorkload ?? {};
  if (o.sourceMin !== undefined) ew.spec.sourceTarget.min = o.sourceMin;
  if (o.sourceMax !== undefined) ew.spec.sourceTarget.max = o.sourceMax;
  for (const [i, u] of (o.units ?? []).entries()) {
    const unit = ew.spec.elasticUnit?.find((x) => x.name === u.name);
    if (!unit) {
      const names = (ew.spec.elasticUnit ?? []).map((x) => x.name).join(', ') || 'none';
      throw new UserError(`${file}: elasticWorkload.units[${i}].name: the manifests' ElasticWorkload has no unit "${u.name}" (units: ${names})`, 'name a unit of the ElasticWorkload manifest');
    }
    if (u.min !== undefined) unit.min = u.min;
    if (u.max !== undefined) unit.max = u.max;
  }
  return ew;
}

interface DeploymentObject {
  spec?: { template?: { spec?: { containers?: { name?: string; resources?: { requests?: { cpu?: string | number; memory?: string | number } } }[] } } };
}

/** A pod's requests: the sum over its containers, as the scheduler counts them. */
function podRequests(dep: KubeObject, source: string): ResolvedSystem['pod'] {
  const containers = (dep as DeploymentObject).spec?.template?.spec?.containers ?? [];
  const field = (i: number, r: string) => `${source}: Deployment ${dep.metadata.name}: spec.template.spec.containers[${i}].resources.requests.${r}`;
  const sum = (r: 'cpu' | 'memory', parse: (q: string | number) => number) => {
    const stated = containers.map((c, i) => [c.resources?.requests?.[r], i] as const).filter(([q]) => q !== undefined);
    if (!stated.length) return parse(DEFAULT_REQUESTS[r]);
    return stated.reduce((a, [q, i]) => a + checked(() => parse(q!), field(i, r)), 0);
  };
  return { vcpu: sum('cpu', cpuCores), memoryGiB: sum('memory', memoryGiB) };
}

/** The ServiceMonitor's first endpoint interval, or the one fallback. */
function scrapeInterval(sm: KubeObject | undefined, source: string): number {
  if (!sm) return DEFAULT_SCRAPE_INTERVAL_SECONDS;
  const ep = (sm.spec as { endpoints?: { interval?: string }[] } | undefined)?.endpoints?.[0];
  if (ep?.interval === undefined) return DEFAULT_SCRAPE_INTERVAL_SECONDS;
  const v = checked(() => parseDuration(ep.interval!), `${source}: ServiceMonitor ${sm.metadata.name}: spec.endpoints[0].interval`);
  if (!(v > 0)) throw new UserError(`${source}: ServiceMonitor ${sm.metadata.name}: spec.endpoints[0].interval: must be above zero, got "${ep.interval}"`);
  return v;
}

function quantity(q: string | number | undefined, field: string): number {
  if (q === undefined) throw new UserError(`${field}: missing`);
  return checked(() => parseQuantity(q), field);
}

function checked<T>(fn: () => T, field: string): T {
  try {
    return fn();
  } catch (e) {
    throw new UserError(`${field}: ${(e as Error).message}`);
  }
}

/** How many pods the ECS pools hold at the pod's requests (by CPU, memory and the pods limit). */
export function ecsPodCapacity(nodes: Pick<NodePools, 'ecs'>, pod: ResolvedSystem['pod']): number {
  return nodes.ecs.reduce((a, p) => {
    const byCpu = pod.vcpu > 0 ? Math.floor(cpuCores(p.cpu) / pod.vcpu + 1e-9) : p.pods;
    const byMem = pod.memoryGiB > 0 ? Math.floor(memoryGiB(p.memory) / pod.memoryGiB + 1e-9) : p.pods;
    return a + Math.min(p.pods, byCpu, byMem) * p.count;
  }, 0);
}

/** The pipeline's time constants as the timeline's meta records them. */
export function timelineConstants(sys: ResolvedSystem): Record<string, number> {
  return {
    ...sys.pipeline,
    hpaSyncPeriodSeconds: sys.flags.syncPeriodSeconds,
    downscaleStabilizationSeconds: sys.flags.downscaleStabilizationSeconds,
  };
}
