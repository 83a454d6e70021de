import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions,
  type KubeConfig, type KubernetesObject, type V1Deployment, type V1Pod,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { EW_GROUP, EW_KIND, EW_PLURAL, EW_VERSION, LABEL_UNIT, LABEL_WORKLOAD, unitOwner, type EwObject } from './unit.ts';
import { createWorkQueue, type WorkQueue } from '../kube/queue.ts';
import { syncElasticWorkload, SyncError, type EventType, type EwEventRecorder, type EwListers, type EwWriters, type SyncDeps, type SyncResult } from './sync.ts';
import { createInformer, errorText, waitForCacheSync, type InformerErrorInfo, type SharedInformer } from '../kube/informer.ts';
import { CLIENT_GO_DEFAULTS, createTokenBucket, type RateLimit, type RateLimiter } from '../kube/ratelimit.ts';
import { makeKeepAliveClient } from '../local/api-client.ts';

/**
 * The ElasticWorkload controller, client-go style: shared informers on ElasticWorkloads, Deployments
 * and unit pods feed a work queue of EW keys; workers run `syncElasticWorkload` (sync.ts) with
 * listers over the caches and writers over the API behind a token-bucket rate limit.
 */

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  logger?: Logger;
  workers?: number;
  /** How soon to look again while the source is held for draining units. */
  drainRecheckMs?: number;
  /** Called after each reconcile with its wall duration (for benchmarks). */
  onReconcile?: (key: string, ms: number, outcome: 'ok' | 'error' | 'holding' | 'invalid') => void;
  /** Called after each reconcile with what it did: an acknowledgement tests and wrappers wait on. */
  onReconciled?: (key: string, result: ReconcileResult) => void;
  /** Client-side limit on API writes (events included); client-go's 5 QPS, burst 10 by default. */
  rateLimit?: RateLimit;
  /** `synced` rejects, naming the informers that have not listed, after this long (default 60 s). */
  syncTimeoutMs?: number;
  /** Informer failures (list or watch), after they are logged. */
  onInformerError?: (err: unknown, info: InformerErrorInfo) => void;
}

export type ReconcileOutcome = 'ok' | 'holding' | 'invalid' | 'deleted' | 'error';

export interface ReconcileResult {
  outcome: ReconcileOutcome;
  generation?: number;
  /** Writes that succeeded in this reconcile. */
  writes: string[];
  /** Reasons of the events recorded. */
  events: string[];
  durationMs: number;
  error?: unknown;
}

export interface RunningController {
  stop(): Promise<void>;
  /** Resolves once every informer has listed; rejects after `syncTimeoutMs` naming the laggards. */
  synced: Promise<void>;
}

const MANAGER = 'ebbflow-elasticworkload-controller';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Caches {
  ews: SharedInformer<EwObject>;
  deps: SharedInformer<V1Deployment>;
  pods: SharedInformer<V1Pod>;
}

function makeCaches(o: ControllerOptions, apps: AppsV1Api, core: CoreV1Api, custom: CustomObjectsApi): Caches {
  const ns = o.namespace;
  const base = { kubeConfig: o.kubeConfig, logger: o.logger, onError: o.onInformerError };
  const ewArgs = { group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL };
  return {
    ews: createInformer<EwObject>({
      ...base,
      name: 'elasticworkloads',
      path: ns ? `/apis/${EW_GROUP}/${EW_VERSION}/namespaces/${ns}/${EW_PLURAL}` : `/apis/${EW_GROUP}/${EW_VERSION}/${EW_PLURAL}`,
      list: () => (ns ? custom.listNamespacedCustomObject({ ...ewArgs, namespace: ns }) : custom.listClusterCustomObject(ewArgs)) as never,
    }),
    deps: createInformer<V1Deployment>({
      ...base,
      name: 'deployments',
      path: ns ? `/apis/apps/v1/namespaces/${ns}/deployments` : '/apis/apps/v1/deployments',
      list: () => (ns ? apps.listNamespacedDeployment({ namespace: ns }) : apps.listDeploymentForAllNamespaces()),
    }),
    pods: createInformer<V1Pod>({
      ...base,
      name: 'unit-pods',
      path: ns ? `/api/v1/namespaces/${ns}/pods` : '/api/v1/pods',
      labelSelector: LABEL_UNIT,
      list: () => (ns ? core.listNamespacedPod({ namespace: ns, labelSelector: LABEL_UNIT }) : core.listPodForAllNamespaces({ labelSelector: LABEL_UNIT })),
    }),
  };
}

const keyOf = (ns: string | undefined, name: string | undefined) => `${ns}/${name}`;

/** Informer events → EW keys: an EW itself, the EW owning a unit Deployment or pod, the EWs of a source. */
function wireHandlers(c: Caches, q: WorkQueue): void {
  const bySource = new Map<string, Set<string>>();
  const indexEw = (ew: EwObject, remove = false) => {
    const key = keyOf(ew.metadata?.namespace, ew.metadata?.name);
    for (const set of bySource.values()) set.delete(key);
    const src = ew.spec?.sourceTarget?.name;
    if (remove || !src) return;
    const sk = keyOf(ew.metadata?.namespace, src);
    if (!bySource.has(sk)) bySource.set(sk, new Set());
    bySource.get(sk)!.add(key);
  };
  const onEw = (ew: EwObject) => {
    indexEw(ew);
    q.add(keyOf(ew.metadata?.namespace, ew.metadata?.name));
  };
  c.ews.on('add', onEw);
  c.ews.on('update', onEw);
  c.ews.on('delete', (ew) => {
    indexEw(ew, true);
    q.forget(keyOf(ew.metadata?.namespace, ew.metadata?.name));
  });
  const onDep = (d: V1Deployment) => {
    const owner = unitOwner(d);
    if (owner) q.add(keyOf(d.metadata?.namespace, owner));
    for (const k of bySource.get(keyOf(d.metadata?.namespace, d.metadata?.name)) ?? []) q.add(k);
  };
  for (const verb of ['add', 'update', 'delete'] as const) c.deps.on(verb, onDep);
  const onPod = (p: V1Pod) => {
    const ew = p.metadata?.labels?.[LABEL_WORKLOAD];
    if (ew) q.add(keyOf(p.metadata?.namespace, ew));
  };
  for (const verb of ['add', 'update', 'delete'] as const) c.pods.on(verb, onPod);
}

function listers(c: Caches): EwListers {
  return {
    getElasticWorkload: (ns, name) => c.ews.get(name, ns),
    getDeployment: (ns, name) => c.deps.get(name, ns),
    listDeployments: (ns) => c.deps.list(ns),
    listUnitPods: (ns) => c.pods.list(ns),
  };
}

function writers(apps: AppsV1Api, custom: CustomObjectsApi, limiter: RateLimiter): EwWriters {
  const limited = <T>(f: () => Promise<T>) => limiter.acquire().then(f);
  return {
    createDeployment: (namespace, body) => limited(() => apps.createNamespacedDeployment({ namespace, body, fieldManager: MANAGER })),
    replaceDeployment: (namespace, name, body) => limited(() => apps.replaceNamespacedDeployment({ namespace, name, body, fieldManager: MANAGER })),
    scaleDeployment: (namespace, name, replicas) =>
      limited(() => apps.patchNamespacedDeployment({ namespace, name, body: { spec: { replicas } }, fieldManager: MANAGER }, mergePatch)),
    deleteDeployment: (namespace, name) => limited(() => apps.deleteNamespacedDeployment({ namespace, name })),
    updateStatus: (namespace, name, status) =>
      limited(() => custom.patchNamespacedCustomObjectStatus({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace, name, body: { status } }, mergePatch)),
  };
}

/**
 * Events go out asynchronously (like client-go's EventRecorder), through the same rate limit, so a
 * slow Event API never stretches a reconcile. Repeated identical warnings become one event.
 */
function eventRecorder(core: CoreV1Api, limiter: RateLimiter, log: Logger | undefined): EwEventRecorder {
  const lastWarning = new Map<string, string>();
  const send = async (ew: EwObject, type: EventType, reason: string, message: string) => {
    const md = ew.metadata!;
    const now = new Date();
    await limiter.acquire();
    await core.createNamespacedEvent({
      namespace: md.namespace!,
      body: {
        metadata: { generateName: `${md.name}.`, namespace: md.namespace! },
        involvedObject: { apiVersion: `${EW_GROUP}/${EW_VERSION}`, kind: EW_KIND, name: md.name!, namespace: md.namespace!, uid: md.uid! },
        reason, message, type,
        source: { component: 'elasticworkload-controller' },
        firstTimestamp: now, lastTimestamp: now, count: 1,
        reportingComponent: 'ebbflow.io/elasticworkload-controller',
        reportingInstance: MANAGER,
      },
    });
  };
  return {
    event(ew, type, reason, message) {
      const key = keyOf(ew.metadata?.namespace, ew.metadata?.name);
      if (type === 'Warning' && lastWarning.get(key) === `${reason}:${message}`) return;
      if (type === 'Warning') lastWarning.set(key, `${reason}:${message}`);
      else lastWarning.delete(key);
      send(ew, type, reason, message).catch((e: unknown) => log?.debug({ err: errorText(e) }, 'event not recorded'));
    },
  };
}

export interface WorkerHooks {
  drainRecheckMs: number;
  isStopped(): boolean;
  logger?: Logger;
  onReconciled?(key: string, result: ReconcileResult): void;
}

/**
 * One queue item: sync, then forget or requeue. A holding scale-in looks again soon; a failure
 * (a 409 conflict means the cache is behind our own last write) comes back with per-key backoff.
 */
export async function processItem(q: WorkQueue, key: string, sync: (key: string) => Promise<SyncResult>, h: WorkerHooks): Promise<ReconcileResult> {
  const t0 = performance.now();
  let result: ReconcileResult;
  try {
    const r = await sync(key);
    q.forget(key);
    if (r.outcome === 'holding') q.addAfter(key, h.drainRecheckMs);
    result = { ...r, durationMs: performance.now() - t0 };
  } catch (e) {
    const partial = e instanceof SyncError ? e.result : { writes: [], events: [] };
    const code = (e as { code?: number }).code;
    if (!h.isStopped()) {
      (code === 409 ? h.logger?.debug.bind(h.logger) : h.logger?.warn.bind(h.logger))?.({ key, err: errorText(e instanceof SyncError ? e.cause : e) }, 'reconcile failed; requeued');
      q.addRateLimited(key);
    }
    result = { outcome: 'error', writes: partial.writes, events: partial.events, durationMs: performance.now() - t0, error: e };
  } finally {
    q.done(key);
  }
  h.onReconciled?.(key, result);
  return result;
}

export function startController(o: ControllerOptions): RunningController {
  const kc = o.kubeConfig;
  // Writes go over kept-alive connections: a TLS handshake per call doubled reconcile p99 (bench/ew-scale).
  const apps = makeKeepAliveClient(kc, AppsV1Api);
  const core = makeKeepAliveClient(kc, CoreV1Api);
  const custom = makeKeepAliveClient(kc, CustomObjectsApi);
  const q = createWorkQueue();
  const caches = makeCaches(o, apps, core, custom);
  wireHandlers(caches, q);
  const limiter = createTokenBucket(o.rateLimit ?? CLIENT_GO_DEFAULTS);
  const deps: SyncDeps = { listers: listers(caches), writers: writers(apps, custom, limiter), recorder: eventRecorder(core, limiter, o.logger) };
  let stopped = false;
  const hooks: WorkerHooks = {
    drainRecheckMs: o.drainRecheckMs ?? 100,
    isStopped: () => stopped,
    logger: o.logger,
    onReconciled: (key, r) => {
      o.onReconcile?.(key, r.durationMs, r.outcome === 'deleted' ? 'ok' : r.outcome);
      o.onReconciled?.(key, r);
    },
  };
  const all = [caches.deps, caches.pods, caches.ews] as SharedInformer<KubernetesObject>[];
  // Caches first, so the first reconcile sees units and pods, not an empty world.
  const started = Promise.all(all.map((i) => i.start()));
  const worker = async () => {
    for (let key = await q.get(); key !== undefined; key = await q.get()) await processItem(q, key, (k) => syncElasticWorkload(k, deps), hooks);
  };
  const workers = started.then(() => Promise.all(Array.from({ length: o.workers ?? 2 }, worker)));
  const synced = waitForCacheSync(all, o.syncTimeoutMs ?? 60_000);
  synced.catch(() => {});
  return {
    synced,
    async stop() {
      stopped = true;
      q.shutdown();
      limiter.stop();
      await Promise.allSettled(all.map((i) => i.stop()));
      await Promise.race([workers.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}
