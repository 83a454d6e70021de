import {
  AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi,
  type CoreV1Event, type KubeConfig, type KubernetesObject, type V1Deployment, type V1Pod, type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { TimelineEvent, TimelineRecord, TimelineSample } from '../../core/timeline/format.ts';
import type { VirtualClock } from '../clock/clock.ts';
import { parseQuantity } from '../../core/units.ts';
import { createSampleSchedule } from './schedule.ts';
import { countPods, isPodReady, podDeployment, podNodeType } from './classify.ts';
import { createInformer, waitForCacheSync, type InformerErrorInfo, type SharedInformer } from '../../cluster/kube/informer.ts';

export interface RecorderOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  hpaName: string;
  /** ElasticWorkload name (autoscaling.alibabacloud.com/v1beta1); its source Deployment is `sourceName`. */
  ewName: string;
  sourceName: string;
  /** No ElasticWorkload: the HPA scales `sourceName` directly, so `ew.replicas` is that workload's replicas. */
  direct?: boolean;
  virtualNode: string | undefined;
  clock: VirtualClock;
  /** True active devices at a virtual time (the curve). */
  devices(tVirtualMs: number): number;
  devicesPerReplica: number;
  /** Virtual seconds between samples. */
  sampleEverySeconds: number;
  /**
   * The replayed windows (virtual epoch ms): samples are taken on each window's grid up to its end,
   * none in the time the clock runs on after it. Without them sampling goes on until `stop()`.
   */
  windows?: { start: number; end: number }[];
  write(rec: TimelineRecord): void;
  logger?: Logger;
  /** Informer failures (list or watch), after they are logged. */
  onInformerError?: (err: unknown, info: InformerErrorInfo) => void;
  /** `startRecorder` rejects if the core caches have not listed after this long (default 60 s). */
  syncTimeoutMs?: number;
}

interface EwObject extends KubernetesObject {
  spec?: { replicas?: number };
}

const EW_SYNC_GRACE_MS = 5000;

export interface Recorder {
  /** Takes one sample now, outside the schedule. */
  sample(): TimelineSample;
  /**
   * Writes every scheduled sample that came due (the timer does this too); call it before the
   * clock jumps to the next window so the last points of this one are taken in it.
   */
  sampleDue(): void;
  stop(): Promise<void>;
}

interface Caches {
  pods: SharedInformer<V1Pod>;
  deps: SharedInformer<V1Deployment>;
  hpas: SharedInformer<V2HorizontalPodAutoscaler>;
  events: SharedInformer<CoreV1Event>;
  ews: SharedInformer<EwObject>;
}

type Emit = (e: Omit<TimelineEvent, 'kind' | 't'>) => void;

function makeCaches(o: RecorderOptions): Caches {
  const kc = o.kubeConfig;
  const ns = o.namespace;
  const [core, apps, autoscaling, custom] = [kc.makeApiClient(CoreV1Api), kc.makeApiClient(AppsV1Api), kc.makeApiClient(AutoscalingV2Api), kc.makeApiClient(CustomObjectsApi)];
  const base = { kubeConfig: kc, logger: o.logger, onError: o.onInformerError };
  return {
    pods: createInformer<V1Pod>({ ...base, name: 'pods', path: `/api/v1/namespaces/${ns}/pods`, list: () => core.listNamespacedPod({ namespace: ns }) }),
    deps: createInformer<V1Deployment>({ ...base, name: 'deployments', path: `/apis/apps/v1/namespaces/${ns}/deployments`, list: () => apps.listNamespacedDeployment({ namespace: ns }) }),
    hpas: createInformer<V2HorizontalPodAutoscaler>({
      ...base, name: 'horizontalpodautoscalers', path: `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
      list: () => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns }),
    }),
    events: createInformer<CoreV1Event>({ ...base, name: 'events', path: `/api/v1/namespaces/${ns}/events`, list: () => core.listNamespacedEvent({ namespace: ns }) }),
    ews: createInformer<EwObject>({
      ...base, name: 'elasticworkloads', path: `/apis/autoscaling.alibabacloud.com/v1beta1/namespaces/${ns}/elasticworkloads`,
      list: () => custom.listNamespacedCustomObject({ group: 'autoscaling.alibabacloud.com', version: 'v1beta1', namespace: ns, plural: 'elasticworkloads' }) as never,
    }),
  };
}

/** Pod created/scheduled/ready/failed/deleted, once each, with node, node type and owner. */
function trackPods(o: RecorderOptions, pods: SharedInformer<V1Pod>, belongs: (p: V1Pod) => boolean, emit: Emit): void {
  const seen = new Map<string, { scheduled: boolean; ready: boolean; failed: boolean }>();
  const ownerOf = (p: V1Pod) => (podDeployment(p) === o.sourceName ? 'source' : podDeployment(p));
  const onPod = (p: V1Pod) => {
    if (!belongs(p)) return;
    const name = p.metadata?.name ?? '';
    const owner = ownerOf(p);
    const node = p.spec?.nodeName;
    const nodeType = podNodeType(p, o.virtualNode);
    let s = seen.get(name);
    if (!s) {
      s = { scheduled: false, ready: false, failed: false };
      seen.set(name, s);
      emit({ type: 'pod.created', object: name, owner });
    }
    if (node && !s.scheduled) {
      s.scheduled = true;
      emit({ type: 'pod.scheduled', object: name, owner, node, nodeType });
    }
    if (isPodReady(p) && !s.ready) {
      s.ready = true;
      emit({ type: 'pod.ready', object: name, owner, node, nodeType });
    }
    if (p.status?.phase === 'Failed' && !s.failed) {
      s.failed = true;
      emit({ type: 'pod.failed', object: name, owner, node, nodeType, reason: p.status.reason });
    }
  };
  pods.on('add', onPod);
  pods.on('update', onPod);
  pods.on('delete', (p) => {
    if (!belongs(p)) return;
    seen.delete(p.metadata?.name ?? '');
    emit({ type: 'pod.deleted', object: p.metadata?.name, owner: ownerOf(p), node: p.spec?.nodeName, nodeType: podNodeType(p, o.virtualNode) });
  });
}

/** HPA decisions: the desired count, and the controllers' own words from their Events. */
function trackHpa(o: RecorderOptions, c: Caches, emit: Emit): void {
  let lastDesired: number | undefined;
  const onHpa = (h: V2HorizontalPodAutoscaler) => {
    if (h.metadata?.name !== o.hpaName) return;
    const d = h.status?.desiredReplicas;
    if (d === undefined || d === lastDesired) return;
    if (lastDesired !== undefined) emit({ type: 'hpa.rescale', object: o.hpaName, from: lastDesired, to: d });
    lastDesired = d;
  };
  c.hpas.on('add', onHpa);
  c.hpas.on('update', onHpa);
  const startedAt = Date.now();
  const onEvent = (e: CoreV1Event) => {
    // Events from before this recording (a reused namespace) are history, not this run.
    const t = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    if (t && new Date(t).getTime() < startedAt - 1000) return;
    const kind = e.involvedObject?.kind;
    if (kind === 'HorizontalPodAutoscaler' || kind === 'ElasticWorkload') {
      emit({ type: kind === 'HorizontalPodAutoscaler' ? 'hpa.condition' : 'ew.split', object: e.involvedObject?.name, reason: e.reason, message: e.message });
    }
  };
  c.events.on('add', onEvent);
  c.events.on('update', onEvent);
}

/** Replicas of the source and of each unit Deployment, from the cache. */
function splitOf(o: RecorderOptions, deps: readonly V1Deployment[]): { source: number; units: Record<string, number> } {
  const unitPrefix = `${o.sourceName}-unit-`;
  const units: Record<string, number> = {};
  let source = 0;
  for (const d of deps) {
    const n = d.metadata?.name ?? '';
    if (n === o.sourceName) source = d.spec?.replicas ?? 0;
    else if (n.startsWith(unitPrefix)) units[n] = d.spec?.replicas ?? 0;
  }
  return { source, units };
}

function trackSplit(o: RecorderOptions, deps: SharedInformer<V1Deployment>, emit: Emit): void {
  let last = '';
  const onDep = () => {
    const s = splitOf(o, deps.list(o.namespace));
    const key = JSON.stringify(s);
    if (key === last) return;
    last = key;
    emit({ type: 'ew.split', object: o.ewName, message: `source ${s.source}, ${Object.entries(s.units).map(([k, v]) => `${k} ${v}`).join(', ') || 'no units'}` });
  };
  for (const verb of ['add', 'update', 'delete'] as const) deps.on(verb, onDep);
}

function takeSample(o: RecorderOptions, c: Caches, belongs: (p: V1Pod) => boolean, at?: { t: number; lateMs: number }): TimelineSample {
  const ns = o.namespace;
  const t = Math.round(at?.t ?? o.clock.now());
  const late = (at?.lateMs ?? 0) / 1000;
  const h = c.hpas.get(o.hpaName, ns);
  // The metric's own value: for an AverageValue target the HPA reports value / current replicas.
  const cur = h?.status?.currentMetrics?.[0]?.object?.current;
  const metricQ = cur?.value ?? cur?.averageValue;
  const perReplica = cur?.value === undefined && cur?.averageValue !== undefined;
  const devices = Math.max(0, o.devices(t));
  const { source, units } = splitOf(o, c.deps.list(ns));
  return {
    kind: 'sample',
    t,
    devices,
    metric: metricQ === undefined ? null : parseQuantity(metricQ) * (perReplica ? Math.max(1, h?.status?.currentReplicas ?? 1) : 1),
    needed: Math.ceil(devices / o.devicesPerReplica),
    hpa: { desired: h?.status?.desiredReplicas ?? 0, current: h?.status?.currentReplicas ?? 0 },
    ew: { replicas: o.direct ? source : (c.ews.get(o.ewName, ns)?.spec?.replicas ?? 0), source, units },
    pods: countPods(c.pods.list(ns), o.virtualNode, belongs),
    ...(late >= 1 ? { lateSeconds: Math.round(late * 10) / 10 } : {}),
  };
}

/**
 * Watches the HPA, the ElasticWorkload, the Deployments, Pods and Events of one namespace and
 * writes samples at a fixed virtual interval plus an event for every transition that matters
 * (rescale, split change, pod created/scheduled/ready/failed/deleted). Resolves once the caches it
 * needs have listed; the ElasticWorkload cache is not waited for (its CRD may come later).
 */
export async function startRecorder(o: RecorderOptions): Promise<Recorder> {
  const c = makeCaches(o);
  const unitPrefix = `${o.sourceName}-unit-`;
  const belongs = (p: V1Pod) => {
    const d = podDeployment(p);
    return d === o.sourceName || (d?.startsWith(unitPrefix) ?? false);
  };
  const emit: Emit = (e) => o.write({ kind: 'event', t: Math.round(o.clock.now()), ...e });
  trackPods(o, c.pods, belongs, emit);
  trackHpa(o, c, emit);
  trackSplit(o, c.deps, emit);
  const all = Object.values(c) as SharedInformer<KubernetesObject>[];
  const stopAll = () => Promise.allSettled(all.map((i) => i.stop()));
  for (const i of all) void i.start().catch(() => {});
  try {
    await waitForCacheSync([c.pods, c.deps, c.hpas, c.events] as SharedInformer<KubernetesObject>[], o.syncTimeoutMs ?? 60_000);
  } catch (e) {
    await stopAll();
    throw e;
  }
  // The first grid point is sampled at once: it must not read an ElasticWorkload cache that has not
  // listed yet (replicas 0). A short grace, since the CRD may not exist at all.
  await waitForCacheSync([c.ews] as SharedInformer<KubernetesObject>[], EW_SYNC_GRACE_MS).catch(() => {});
  const sample = (): TimelineSample => {
    const s = takeSample(o, c, belongs);
    o.write(s);
    return s;
  };
  const sampler = scheduleSamples(o, (at) => o.write(takeSample(o, c, belongs, at)));
  return {
    sample,
    sampleDue: sampler.due,
    async stop() {
      sampler.stop();
      await stopAll();
    },
  };
}

/**
 * Samples on the virtual clock's grid (schedule.ts): the timer is re-armed for the next grid point
 * after each round, and a late round writes every point it missed instead of dropping them.
 */
function scheduleSamples(o: RecorderOptions, write: (at: { t: number; lateMs: number }) => void): { due(): void; stop(): void } {
  const schedule = createSampleSchedule(o.sampleEverySeconds * 1000);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const windowEnd = () => {
    const anchor = o.clock.t0;
    return o.windows?.find((w) => w.start <= anchor && anchor < w.end)?.end;
  };
  const due = () => {
    for (const at of schedule.due(o.clock.t0, o.clock.now(), windowEnd())) write(at);
  };
  const tick = () => {
    if (stopped) return;
    due();
    const wait = schedule.untilNext(o.clock.now(), windowEnd());
    // Past a window's end nothing is due until the clock enters the next window (the replay calls
    // sampleDue then); a slow poll keeps a clock re-anchored by someone else sampled too.
    timer = setTimeout(tick, Number.isFinite(wait) ? Math.max(1, o.clock.wallDuration(wait)) : 50);
  };
  tick();
  return {
    due: () => {
      if (!stopped) due();
    },
    stop: () => {
      // The points up to now belong to the replay that just ended.
      due();
      stopped = true;
      clearTimeout(timer);
    },
  };
}
