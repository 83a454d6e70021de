import { nodePoolsSchema, type NodePools } from '../cluster/nodes/config.ts';
import { UserError } from '../core/errors.ts';
import { cpuCores, memoryGiB, parseDuration } from '../core/units.ts';
import { checked } from './model/fields.ts';
import type { KubeObject } from './model/objects.ts';
import type { ScenarioOverrides } from './model/overrides.ts';
import { DEFAULT_SCRAPE_INTERVAL_SECONDS, PIPELINE_DEFAULTS, type PipelineConstants, type TimeConstants } from './model/pipeline.ts';
import type { ResolvedPlacement } from './model/placement.ts';
import { placementFor, PLACEMENTS, scalerKind, scheduleKind } from './registry.ts';
import type { HpaSpec } from './scaler/hpa/model.ts';
import type { KcmFlags } from './scaler/hpa/resolve.ts';

/**
 * Scenario + manifests → the system a run models, in one place for the replay and the simulator.
 * Pure (no files, no cluster): the replay hands it the rendered local overlay, the simulator the
 * files of manifests/base. The scaler and the placement are resolved by their kinds (`registry.ts`);
 * the replay applies the returned objects (compressing the HPA's behavior itself), the simulator
 * uses the numeric view of the same objects.
 */

export interface SystemManifests {
  /** The scaler's object (the HPA). */
  hpa: KubeObject;
  /** The placement's own object (an ElasticWorkload); absent when the HPA scales the Deployment/StatefulSet directly. */
  placement?: KubeObject;
  /** The placement's source Deployment, or the HPA's own target (the pods' requests). */
  deployment: KubeObject;
  /** A schedule beside the scaler (a CronHorizontalPodAutoscaler). */
  schedule?: KubeObject;
  /** The exporter's ServiceMonitor (the scrape interval), unless `scrapeIntervalSeconds` is given. */
  serviceMonitor?: KubeObject;
  /** The scrape interval as discovered (ServiceMonitor, PodMonitor or annotations); wins over `serviceMonitor`. */
  scrapeIntervalSeconds?: number;
  /** What discovery converted or assumed (e.g. a v2beta1 HPA run as v2), for the user to read. */
  warnings?: string[];
  /** Where the objects came from, for messages (e.g. "manifests/overlays/local"). */
  source: string;
}

export interface PodRequests {
  vcpu: number;
  memoryGiB: number;
}

export interface ResolvedSystem {
  /** The scaler's kind, as registered. */
  scaler: string;
  /** Its model's numbers. */
  hpa: HpaSpec;
  /** The manifests' HPA with the scenario's overrides, behavior not compressed. */
  hpaObject: KubeObject;
  flags: KcmFlags;
  placement: ResolvedPlacement;
  /**
   * A schedule beside the scaler (a CronHPA): its kind, its model's numbers, the object a replay
   * applies and the time zone its schedules are read in (the scenario's `timezone`, UTC without).
   */
  schedule?: { kind: string; spec: unknown; object: KubeObject; timeZone: string };
  pod: PodRequests;
  nodes: NodePools;
  /**
   * The scaler's reader asks Prometheus at whole multiples of this many seconds of its own clock
   * (`ScalerKind.queryResolution`: KEDA's prometheus trigger, 1 s); absent when it asks for "now".
   */
  queryResolutionSeconds?: number;
  pipeline: PipelineConstants;
  devicesPerReplica: number;
  sampleEverySeconds: number;
  seed: number;
}

/** The scrape interval standing for a scaler that reads its value live (`ScalerKind.liveMetric`). */
export const LIVE_READ_SECONDS = 1;

/** Requests assumed for a workload whose containers state none (the manifests' nginx asks 500m / 512Mi). */
const DEFAULT_REQUESTS = { cpu: '500m', memory: '512Mi' };

export function resolveSystem(s: ScenarioOverrides & { timezone?: string }, m: SystemManifests): ResolvedSystem {
  const file = s.file ?? 'scenario';
  const scaler = scalerKind(m.hpa.kind);
  const hpaObject = scaler.withOverrides(m.hpa, s, file);
  // A placement object names its kind (a ResourcePolicy is not a scaler target, its Deployment is).
  const kind = m.placement ? (PLACEMENTS.find((p) => p.kind === m.placement!.kind) ?? placementFor(m.placement.kind)) : placementFor(m.deployment.kind);
  if (!kind) throw new UserError(`${m.source}: ${(m.placement ?? m.deployment).kind} ${(m.placement ?? m.deployment).metadata.name}: no placement kind scales it`);
  const resolution = scaler.queryResolution?.(hpaObject) ?? 0;
  const placement = kind.resolve({ ...(m.placement ? { object: m.placement } : {}), workload: m.deployment, overrides: s, file, source: m.source, scalerMax: scaler.maxReplicas(hpaObject) });
  return {
    scaler: scaler.kind,
    hpa: scaler.model(hpaObject, m.source),
    hpaObject,
    flags: scaler.flags(s),
    placement,
    ...(m.schedule ? { schedule: resolveSchedule(m.schedule, s.timezone ?? 'UTC', m.source) } : {}),
    pod: podRequests(m.deployment, m.source),
    nodes: structuredClone(s.nodes ?? nodePoolsSchema.parse({})),
    ...(resolution > 0 ? { queryResolutionSeconds: resolution } : {}),
    pipeline: {
      slsWindowSeconds: s.pipeline?.slsWindowSeconds ?? PIPELINE_DEFAULTS.slsWindowSeconds,
      exporterIntervalSeconds: s.pipeline?.exporterIntervalSeconds ?? PIPELINE_DEFAULTS.exporterIntervalSeconds,
      // A live read is modelled as a 1 s "scrape": the value an HPA sync sees is at most 1 s older than the exporter's last answer.
      scrapeIntervalSeconds: s.pipeline?.scrapeIntervalSeconds ?? ((typeof scaler.liveMetric === 'function' ? scaler.liveMetric(hpaObject) : scaler.liveMetric) ? LIVE_READ_SECONDS : (m.scrapeIntervalSeconds ?? scrapeInterval(m.serviceMonitor, m.source))),
      adapterRelistSeconds: s.pipeline?.adapterRelistSeconds ?? PIPELINE_DEFAULTS.adapterRelistSeconds,
    },
    devicesPerReplica: s.devicesPerReplica ?? 1000,
    sampleEverySeconds: s.sampleEverySeconds ?? 15,
    seed: s.seed ?? 1,
  };
}

function resolveSchedule(object: KubeObject, timeZone: string, source: string): NonNullable<ResolvedSystem['schedule']> {
  const kind = scheduleKind(object.kind);
  return { kind: kind.kind, spec: kind.model(object, source, timeZone), object, timeZone };
}

interface DeploymentObject {
  spec?: { template?: { spec?: { containers?: { name?: string; resources?: { requests?: { cpu?: string | number; memory?: string | number } } }[] } } };
}

/** A pod's requests: the sum over its containers, as the scheduler counts them. */
function podRequests(dep: KubeObject, source: string): PodRequests {
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

/** How many pods the ECS pools hold at the pod's requests (by CPU, memory and the pods limit). */
export function ecsPodCapacity(nodes: Pick<NodePools, 'ecs'>, pod: PodRequests): number {
  return nodes.ecs.reduce((a, p) => {
    const byCpu = pod.vcpu > 0 ? Math.floor(cpuCores(p.cpu) / pod.vcpu + 1e-9) : p.pods;
    const byMem = pod.memoryGiB > 0 ? Math.floor(memoryGiB(p.memory) / pod.memoryGiB + 1e-9) : p.pods;
    return a + Math.min(p.pods, byCpu, byMem) * p.count;
  }, 0);
}

/** The time constants as the timeline's meta records them. */
export function timelineConstants(sys: Pick<ResolvedSystem, 'pipeline' | 'flags'>): TimeConstants {
  return {
    ...sys.pipeline,
    hpaSyncPeriodSeconds: sys.flags.syncPeriodSeconds,
    downscaleStabilizationSeconds: sys.flags.downscaleStabilizationSeconds,
  };
}
