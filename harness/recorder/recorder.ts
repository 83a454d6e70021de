import {
  AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi,
  type CoreV1Event, type KubeConfig, type KubernetesObject, type V1Deployment, type V1Pod, type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { TimelineEvent, TimelineRecord, TimelineSample } from '../../core/timeline/format.ts';
import type { RecorderView, WorkloadResource } from '../../kinds/model/placement.ts';
import type { VirtualClock } from '../clock/clock.ts';
import { parseQuantity } from '../../core/units.ts';
import { createSampleSchedule } from './schedule.ts';
import { countPods, isPodReady, podNodeType } from './classify.ts';
import { belongsTo, destinationOf, ownerOf, splitOf, splitOfPods, viewFromNames, type WorkloadObject } from './view.ts';
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
  /**
   * The placement kind's view (which Deployments are its tiers, where its total is); without it, the
   * view of an ElasticWorkload `ewName` with source `sourceName`, or with `direct` of the Deployment.
   */
  view?: RecorderView;
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

/** The placement's own object (an ElasticWorkload): its `spec.replicas` is the total the HPA set. */
interface PlacementObject extends KubernetesObject {
  spec?: { replicas?: number };
}

const PLACEMENT_SYNC_GRACE_MS = 5000;

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
  /** The tiers' workloads: Deployments, or the view's `workloads` (CloneSets). */
  deps: SharedInformer<WorkloadObject & KubernetesObject>;
  hpas: SharedInformer<V2HorizontalPodAutoscaler>;
  events: SharedInformer<CoreV1Event>;
  /** Only when the placement has an object of its own. */
  placement?: SharedInformer<PlacementObject>;
}

type Emit = (e: Omit<TimelineEvent, 'kind' | 't'>) => void;

function makeCaches(o: RecorderOptions, view: RecorderView): Caches {
  const kc = o.kubeConfig;
  const ns = o.namespace;
  const [core, apps, autoscaling, custom] = [kc.makeApiClient(CoreV1Api), kc.makeApiClient(AppsV1Api), kc.makeApiClient(AutoscalingV2Api), kc.makeApiClient(CustomObjectsApi)];
  const base = { kubeConfig: kc, logger: o.logger, onError: o.onInformerError };
  return {
    pods: createInformer<V1Pod>({ ...base, name: 'pods', path: `/api/v1/namespaces/${ns}/pods`, list: () => core.listNamespacedPod({ namespace: ns }) }),
    deps: view.workloads ? workloadInformer(view.workloads, ns, base, custom)
      : createInformer<V1Deployment>({ ...base, name: 'deployments', path: `/apis/apps/v1/namespaces/${ns}/deployments`, list: () => apps.listNamespacedDeployment({ namespace: ns }) }),
    hpas: createInformer<V2HorizontalPodAutoscaler>({
      ...base, name: 'horizontalpodautoscalers', path: `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
      list: () => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns }),
    }),
    events: createInformer<CoreV1Event>({ ...base, name: 'events', path: `/api/v1/namespaces/${ns}/events`, list: () => core.listNamespacedEvent({ namespace: ns }) }),
    ...(view.resource ? { placement: placementInformer(view.resource, ns, base, custom) } : {}),
  };
}

/** The tiers' workloads when they are not Deployments (CloneSets): their replicas are the split, or the total of tiers sharing one. */
function workloadInformer(r: WorkloadResource, ns: string, base: { kubeConfig: KubeConfig; logger?: Logger; onError?: RecorderOptions['onInformerError'] }, custom: CustomObjectsApi): SharedInformer<WorkloadObject & KubernetesObject> {
  return createInformer<WorkloadObject & KubernetesObject>({
    ...base, name: r.plural, path: `/apis/${r.group}/${r.version}/namespaces/${ns}/${r.plural}`,
    list: () => custom.listNamespacedCustomObject({ group: r.group, version: r.version, namespace: ns, plural: r.plural }) as never,
  });
}

function placementInformer(r: NonNullable<RecorderView['resource']>, ns: string, base: { kubeConfig: KubeConfig; logger?: Logger; onError?: RecorderOptions['onInformerError'] }, custom: CustomObjectsApi): SharedInformer<PlacementObject> {
  return createInformer<PlacementObject>({
    ...base, name: r.plural, path: `/apis/${r.group}/${r.version}/namespaces/${ns}/${r.plural}`,
    list: () => custom.listNamespacedCustomObject({ group: r.group, version: r.version, namespace: ns, plural: r.plural }) as never,
  });
}

/** Pod created/scheduled/ready/failed/deleted, once each, with node, node type and owner. */
function trackPods(o: RecorderOptions, view: RecorderView, pods: SharedInformer<V1Pod>, emit: Emit): void {
  const seen = new Map<string, { scheduled: boolean; ready: boolean; failed: boolean }>();
  const belongs = belongsTo(view);
  const onPod = (p: V1Pod) => {
    if (!belongs(p)) return;
    const name = p.metadata?.name ?? '';
    const owner = ownerOf(view, p, o.virtualNode);
    // A tier told apart by node (a ResourcePolicy's): the pod joins its tier (and the timeline) once bound.
    if (owner === undefined && view.pods) return;
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
    emit({ type: 'pod.deleted', object: p.metadata?.name, owner: ownerOf(view, p, o.virtualNode), node: p.spec?.nodeName, nodeType: podNodeType(p, o.virtualNode) });
  });
}

/** HPA decisions: the desired count, and the controllers' own words from their Events (the HPA's, the placement object's). */
function trackHpa(o: RecorderOptions, view: RecorderView, c: Caches, emit: Emit): void {
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
    if (kind === 'HorizontalPodAutoscaler' || (kind !== undefined && kind === view.resource?.kind)) {
      emit({ type: kind === 'HorizontalPodAutoscaler' ? 'hpa.condition' : 'ew.split', object: e.involvedObject?.name, reason: e.reason, message: e.message });
    } else if (kind === 'CronHorizontalPodAutoscaler') {
      // A CronHPA job's result (its reason is the job's state), as the simulator notes its firings.
      emit({ type: 'note', object: e.involvedObject?.name, reason: e.reason, message: e.message });
    }
  };
  c.events.on('add', onEvent);
  c.events.on('update', onEvent);
}

/** The split as the placement's tiers hold it: their Deployments' replicas, or (tiers sharing one workload) their pods. */
function currentSplit(o: RecorderOptions, view: RecorderView, c: Pick<Caches, 'deps' | 'pods'>): { source: number; units: Record<string, number> } {
  return view.pods ? splitOfPods(view, c.pods.list(o.namespace), o.virtualNode) : splitOf(view, c.deps.list(o.namespace));
}

function trackSplit(o: RecorderOptions, view: RecorderView, c: Pick<Caches, 'deps' | 'pods'>, emit: Emit): void {
  let last = '';
  const onDep = () => {
    const s = currentSplit(o, view, c);
    const key = JSON.stringify(s);
    if (key === last) return;
    last = key;
    emit({ type: 'ew.split', object: o.ewName, message: `source ${s.source}, ${Object.entries(s.units).map(([k, v]) => `${k} ${v}`).join(', ') || 'no units'}` });
  };
  for (const verb of ['add', 'update', 'delete'] as const) {
    c.deps.on(verb, onDep);
    if (view.pods) c.pods.on(verb, onDep);
  }
}

function takeSample(o: RecorderOptions, view: RecorderView, c: Caches, at?: { t: number; lateMs: number }): TimelineSample {
  const ns = o.namespace;
  const t = Math.round(at?.t ?? o.clock.now());
  const late = (at?.lateMs ?? 0) / 1000;
  const h = c.hpas.get(o.hpaName, ns);
  // The metric's own value: for an AverageValue target the HPA reports value / current replicas.
  // An Object metric (the adapter's path) or an External one (KEDA's generated HPA).
  const m0 = h?.status?.currentMetrics?.[0];
  const cur = m0?.object?.current ?? m0?.external?.current;
  const metricQ = cur?.value ?? cur?.averageValue;
  const perReplica = cur?.value === undefined && cur?.averageValue !== undefined;
  const devices = Math.max(0, o.devices(t));
  const { source, units } = currentSplit(o, view, c);
  const total = view.resource ? (c.placement?.get(view.resource.name, ns)?.spec?.replicas ?? 0)
    : view.pods ? (c.deps.get(view.pods.deployment, ns)?.spec?.replicas ?? 0) : source;
  return {
    kind: 'sample',
    t,
    devices,
    metric: metricQ === undefined ? null : parseQuantity(metricQ) * (perReplica ? Math.max(1, h?.status?.currentReplicas ?? 1) : 1),
    needed: Math.ceil(devices / o.devicesPerReplica),
    hpa: { desired: h?.status?.desiredReplicas ?? 0, current: h?.status?.currentReplicas ?? 0 },
    ew: { replicas: total, source, units },
    pods: countPods(c.pods.list(ns), o.virtualNode, belongsTo(view), destinationOf(view, o.virtualNode)),
    ...(late >= 1 ? { lateSeconds: Math.round(late * 10) / 10 } : {}),
  };
}

/**
 * Watches the HPA, the placement's object (the ElasticWorkload), the Deployments, Pods and Events of
 * one namespace and writes samples at a fixed virtual interval plus an event for every transition
 * that matters (rescale, split change, pod created/scheduled/ready/failed/deleted). Which
 * Deployments are the placement's tiers is its kind's view. Resolves once the caches it needs have
 * listed; the placement object's cache is not waited for (its CRD may come later).
 */
export async function startRecorder(o: RecorderOptions): Promise<Recorder> {
  const view = o.view ?? viewFromNames(o);
  const c = makeCaches(o, view);
  const emit: Emit = (e) => o.write({ kind: 'event', t: Math.round(o.clock.now()), ...e });
  trackPods(o, view, c.pods, emit);
  trackHpa(o, view, c, emit);
  trackSplit(o, view, c, emit);
  const all = Object.values(c).filter((i) => i !== undefined) as SharedInformer<KubernetesObject>[];
  const stopAll = () => Promise.allSettled(all.map((i) => i.stop()));
  for (const i of all) void i.start().catch(() => {});
  try {
    await waitForCacheSync([c.pods, c.deps, c.hpas, c.events] as SharedInformer<KubernetesObject>[], o.syncTimeoutMs ?? 60_000);
  } catch (e) {
    await stopAll();
    throw e;
  }
  // The first grid point is sampled at once: it must not read a placement cache that has not
  // listed yet (replicas 0). A short grace, since the CRD may not exist at all.
  if (c.placement) await waitForCacheSync([c.placement] as SharedInformer<KubernetesObject>[], PLACEMENT_SYNC_GRACE_MS).catch(() => {});
  const sample = (): TimelineSample => {
    const s = takeSample(o, view, c);
    o.write(s);
    return s;
  };
  const sampler = scheduleSamples(o, (at) => o.write(takeSample(o, view, c, at)));
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
