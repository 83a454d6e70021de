import {
  AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, makeInformer,
  type CoreV1Event, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache,
  type V1Deployment, type V1Pod, type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { TimelineEvent, TimelineRecord, TimelineSample } from '../timeline/format.ts';
import type { VirtualClock } from '../replay/clock.ts';
import { countPods, isPodReady, podDeployment, podNodeType } from './classify.ts';
import { parseQuantity } from './quantity.ts';

export interface RecorderOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  hpaName: string;
  /** ElasticWorkload name (autoscaling.alibabacloud.com/v1beta1); its source Deployment is `sourceName`. */
  ewName: string;
  sourceName: string;
  virtualNode: string | undefined;
  clock: VirtualClock;
  /** True active devices at a virtual time (the curve). */
  devices(tVirtualMs: number): number;
  devicesPerReplica: number;
  /** Virtual seconds between samples. */
  sampleEverySeconds: number;
  write(rec: TimelineRecord): void;
}

interface EwObject extends KubernetesObject {
  spec?: { replicas?: number };
}

export interface Recorder {
  /** Takes one sample now (also called on the interval). */
  sample(): TimelineSample;
  stop(): Promise<void>;
}

/**
 * Watches the HPA, the ElasticWorkload, the Deployments, Pods and Events of one namespace and
 * writes samples at a fixed virtual interval plus an event for every transition that matters
 * (rescale, split change, pod created/scheduled/ready/failed/deleted).
 */
export async function startRecorder(o: RecorderOptions): Promise<Recorder> {
  const kc = o.kubeConfig;
  const ns = o.namespace;
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const unitPrefix = `${o.sourceName}-unit-`;
  const belongs = (p: V1Pod) => {
    const d = podDeployment(p);
    return d === o.sourceName || (d?.startsWith(unitPrefix) ?? false);
  };
  const ev = (e: Omit<TimelineEvent, 'kind' | 't'>) => o.write({ kind: 'event', t: Math.round(o.clock.now()), ...e });

  const pods = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${ns}/pods`, () => core.listNamespacedPod({ namespace: ns }));
  const deps = makeInformer<V1Deployment>(kc, `/apis/apps/v1/namespaces/${ns}/deployments`, () => apps.listNamespacedDeployment({ namespace: ns }));
  const hpas = makeInformer<V2HorizontalPodAutoscaler>(kc, `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`, () =>
    autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns }),
  );
  const events = makeInformer<CoreV1Event>(kc, `/api/v1/namespaces/${ns}/events`, () => core.listNamespacedEvent({ namespace: ns }));
  const ews = makeInformer<EwObject>(kc, `/apis/autoscaling.alibabacloud.com/v1beta1/namespaces/${ns}/elasticworkloads`, () =>
    custom.listNamespacedCustomObject({ group: 'autoscaling.alibabacloud.com', version: 'v1beta1', namespace: ns, plural: 'elasticworkloads' }) as never,
  );

  // Pod transitions.
  const seen = new Map<string, { scheduled: boolean; ready: boolean; failed: boolean }>();
  const onPod = (p: V1Pod) => {
    if (!belongs(p)) return;
    const name = p.metadata?.name ?? '';
    const owner = podDeployment(p) === o.sourceName ? 'source' : podDeployment(p);
    const node = p.spec?.nodeName;
    const nodeType = podNodeType(p, o.virtualNode);
    let s = seen.get(name);
    if (!s) {
      s = { scheduled: false, ready: false, failed: false };
      seen.set(name, s);
      ev({ type: 'pod.created', object: name, owner });
    }
    if (node && !s.scheduled) {
      s.scheduled = true;
      ev({ type: 'pod.scheduled', object: name, owner, node, nodeType });
    }
    if (isPodReady(p) && !s.ready) {
      s.ready = true;
      ev({ type: 'pod.ready', object: name, owner, node, nodeType });
    }
    if (p.status?.phase === 'Failed' && !s.failed) {
      s.failed = true;
      ev({ type: 'pod.failed', object: name, owner, node, nodeType, reason: p.status.reason });
    }
  };
  pods.on('add', onPod);
  pods.on('update', onPod);
  pods.on('delete', (p) => {
    if (!belongs(p)) return;
    seen.delete(p.metadata?.name ?? '');
    ev({ type: 'pod.deleted', object: p.metadata?.name, owner: podDeployment(p) === o.sourceName ? 'source' : podDeployment(p), node: p.spec?.nodeName, nodeType: podNodeType(p, o.virtualNode) });
  });

  // HPA decisions: the desired count, and the controller's own words from its Events.
  let lastDesired: number | undefined;
  const onHpa = (h: V2HorizontalPodAutoscaler) => {
    if (h.metadata?.name !== o.hpaName) return;
    const d = h.status?.desiredReplicas;
    if (d !== undefined && d !== lastDesired) {
      if (lastDesired !== undefined) ev({ type: 'hpa.rescale', object: o.hpaName, from: lastDesired, to: d });
      lastDesired = d;
    }
  };
  hpas.on('add', onHpa);
  hpas.on('update', onHpa);
  const startedAt = Date.now();
  const onEvent = (e: CoreV1Event) => {
    const t = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    if (t && new Date(t).getTime() < startedAt - 1000) return;
    const kind = e.involvedObject?.kind;
    if (kind === 'HorizontalPodAutoscaler' || kind === 'ElasticWorkload') {
      ev({ type: kind === 'HorizontalPodAutoscaler' ? 'hpa.condition' : 'ew.split', object: e.involvedObject?.name, reason: e.reason, message: e.message });
    }
  };
  events.on('add', onEvent);
  events.on('update', onEvent);

  // The split between source and units.
  let lastSplit = '';
  const splitOf = (depList: readonly V1Deployment[]) => {
    const units: Record<string, number> = {};
    let source = 0;
    for (const d of depList) {
      const n = d.metadata?.name ?? '';
      if (n === o.sourceName) source = d.spec?.replicas ?? 0;
      else if (n.startsWith(unitPrefix)) units[n] = d.spec?.replicas ?? 0;
    }
    return { source, units };
  };
  const onDep = () => {
    const s = splitOf(deps.list(ns));
    const key = JSON.stringify(s);
    if (key !== lastSplit) {
      lastSplit = key;
      ev({ type: 'ew.split', object: o.ewName, message: `source ${s.source}, ${Object.entries(s.units).map(([k, v]) => `${k} ${v}`).join(', ') || 'no units'}` });
    }
  };
  deps.on('add', onDep);
  deps.on('update', onDep);
  deps.on('delete', onDep);

  const informers: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>)[] = [pods, deps, hpas, events, ews] as never;
  for (const inf of informers) inf.on('error', () => setTimeout(() => void inf.start().catch(() => {}), 500));
  await Promise.all(informers.map((i) => i.start().catch(() => {})));

  const sample = (): TimelineSample => {
    const t = Math.round(o.clock.now());
    const h = hpas.get(o.hpaName, ns);
    // The metric's own value: for an AverageValue target the HPA reports value / current replicas.
    const cur = h?.status?.currentMetrics?.[0]?.object?.current;
    const metricQ = cur?.value ?? cur?.averageValue;
    const perReplica = cur?.value === undefined && cur?.averageValue !== undefined;
    const devices = Math.max(0, o.devices(t));
    const { source, units } = splitOf(deps.list(ns));
    const s: TimelineSample = {
      kind: 'sample',
      t,
      devices,
      metric: metricQ === undefined ? null : parseQuantity(metricQ) * (perReplica ? Math.max(1, h?.status?.currentReplicas ?? 1) : 1),
      needed: Math.ceil(devices / o.devicesPerReplica),
      hpa: { desired: h?.status?.desiredReplicas ?? 0, current: h?.status?.currentReplicas ?? 0 },
      ew: { replicas: ews.get(o.ewName, ns)?.spec?.replicas ?? 0, source, units },
      pods: countPods(pods.list(ns), o.virtualNode, belongs),
    };
    o.write(s);
    return s;
  };
  const timer = setInterval(sample, Math.max(50, o.clock.wallDuration(o.sampleEverySeconds * 1000)));
  return {
    sample,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled(informers.map((i) => i.stop()));
    },
  };
}
