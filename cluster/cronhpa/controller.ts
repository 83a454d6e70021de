import { randomUUID } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createInformer, errorText, waitForCacheSync, type InformerErrorInfo } from '../kube/informer.ts';
import { createWorkQueue } from '../kube/queue.ts';
import { CLIENT_GO_DEFAULTS, createTokenBucket, type RateLimit, type RateLimiter } from '../kube/ratelimit.ts';
import { makeKeepAliveClient } from '../local/api-client.ts';
import { rawApi } from '../local/raw-api.ts';
import { CronEngine, type EngineClock } from './engine.ts';
import { runJob, type CronHpaJob, type HpaObject, type ScaleApi } from './job.ts';
import { checkTimeZone } from './schedule.ts';
import { CronManager, handleJobResult, reconcileCronHpa, type CronHpaEventRecorder, type SyncDeps, type SyncResult } from './sync.ts';
import { CRONHPA_GROUP, CRONHPA_KIND, CRONHPA_PLURAL, CRONHPA_VERSION, keyOf, type CronHpaObject, type JobState } from './types.ts';

/**
 * The CronHPA controller, client-go style: an informer on CronHorizontalPodAutoscalers feeds a work
 * queue; workers run `reconcileCronHpa` (sync.ts), which submits the jobs to the cron engine
 * (engine.ts) on the injected clock; a firing job runs `runJob` (job.ts) and its result goes to
 * `handleJobResult` (status condition and event). Upstream watches only CronHPAs too
 * (cronhorizontalpodautoscaler_controller.go `add`).
 */

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  /** The clock jobs fire on (a replay's virtual clock); the wall clock by default. */
  clock?: EngineClock;
  /** IANA zone the schedules are read in (upstream: the process's TZ); UTC by default. */
  timeZone?: string;
  /** A job's retry period and give-up time, wall ms (upstream 3 s and 10 s; a replay divides them by k). */
  retryIntervalMs?: number;
  retryTimeoutMs?: number;
  logger?: Logger;
  workers?: number;
  rateLimit?: RateLimit;
  syncTimeoutMs?: number;
  onReconciled?: (key: string, result: SyncResult | { outcome: 'error'; error: unknown }) => void;
  /** After a job's result is written: its CronHPA, name, state and the virtual time it fired. */
  onJobResult?: (r: { key: string; job: string; state: JobState | undefined; firedAt: number; message: string }) => void;
  onInformerError?: (err: unknown, info: InformerErrorInfo) => void;
}

export interface RunningController {
  stop(): Promise<void>;
  synced: Promise<void>;
  /** The jobs in the engine, earliest firing first (for tests and status). */
  jobs(): { key: string; job: string; next: number | undefined }[];
}

const api = (kc: KubeConfig, limiter: RateLimiter) => async (method: string, path: string, body?: object, type?: string) => {
  if (method !== 'GET') await limiter.acquire();
  const r = await rawApi(kc, method, path, body, type);
  if (r.status >= 300) throw Object.assign(new Error(`${method} ${path}: ${String(r.json.message ?? r.status)}`), { code: r.status });
  return r.json;
};

/**
 * The scale subresource of any kind, found the way upstream's RESTMapper finds it: the group
 * version's discovery document names the resource serving the kind.
 */
export function scaleApi(call: ReturnType<typeof api>): ScaleApi {
  const plurals = new Map<string, Promise<string>>();
  const base = (apiVersion: string) => (apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
  const pluralOf = (apiVersion: string, kind: string) => {
    const k = `${apiVersion}|${kind}`;
    if (!plurals.has(k)) {
      const p = call('GET', base(apiVersion)).then((doc) => {
        const r = ((doc.resources ?? []) as { name: string; kind: string }[]).find((x) => x.kind === kind && !x.name.includes('/'));
        if (!r) throw new Error(`no resource of kind ${kind} in ${apiVersion}`);
        return r.name;
      });
      p.catch(() => plurals.delete(k));
      plurals.set(k, p);
    }
    return plurals.get(k)!;
  };
  const scalePath = async (ns: string, ref: { apiVersion: string; kind: string; name: string }) => `${base(ref.apiVersion)}/namespaces/${ns}/${await pluralOf(ref.apiVersion, ref.kind)}/${ref.name}/scale`;
  const hpaPath = (ns: string, name: string) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`;
  return {
    getHpa: async (ns, name) => (await call('GET', hpaPath(ns, name))) as HpaObject,
    updateHpa: async (ns, hpa) => void (await call('PUT', hpaPath(ns, hpa.metadata!.name!), hpa)),
    getScale: async (ns, ref) => ((await call('GET', await scalePath(ns, ref))).spec as { replicas?: number } | undefined)?.replicas ?? 0,
    setScale: async (ns, ref, replicas) => {
      const path = await scalePath(ns, ref);
      const scale = await call('GET', path);
      await call('PUT', path, { ...scale, spec: { ...(scale.spec as object), replicas } });
    },
  };
}

// Events carry the wall time, as every other event in the cluster (the status' lastProbeTime is the job's virtual time).
function eventRecorder(core: CoreV1Api, limiter: RateLimiter, log: Logger | undefined): CronHpaEventRecorder {
  return {
    event(o, type, reason, message) {
      const md = o.metadata!;
      const at = new Date();
      const send = async () => {
        await limiter.acquire();
        await core.createNamespacedEvent({
          namespace: md.namespace!,
          body: {
            metadata: { generateName: `${md.name}.`, namespace: md.namespace! },
            involvedObject: { apiVersion: `${CRONHPA_GROUP}/${CRONHPA_VERSION}`, kind: CRONHPA_KIND, name: md.name!, namespace: md.namespace!, uid: md.uid! },
            reason, message, type,
            source: { component: 'cron-horizontal-pod-autoscaler' },
            firstTimestamp: at, lastTimestamp: at, count: 1,
          },
        });
      };
      send().catch((e: unknown) => log?.debug({ err: errorText(e) }, 'event not recorded'));
    },
  };
}

interface RunnerDeps {
  call: ReturnType<typeof api>;
  scales: ScaleApi;
  recorder: CronHpaEventRecorder;
  timeZone: string;
  now(): number;
  isStopped(): boolean;
  objPath(namespace: string, name: string): string;
}

/** What the engine calls when a job fires: run it on its own (upstream: a goroutine), then record its result. */
function jobRunner(o: ControllerOptions, d: RunnerDeps): (job: CronHpaJob, firedAt: number) => void {
  return (job, firedAt) => {
    const key = `${job.owner.namespace}/${job.owner.name}`;
    const run = runJob(job, { api: d.scales, now: d.now, timeZone: d.timeZone, retryIntervalMs: o.retryIntervalMs, retryTimeoutMs: o.retryTimeoutMs }).then((message) => ({ message }), (e: unknown) => ({ error: errorText(e) }));
    void run
      .then(async (outcome) => {
        if (d.isStopped()) return;
        const state = await handleJobResult(job, outcome, {
          get: (n, name) => d.call('GET', d.objPath(n, name)).then((x) => x as CronHpaObject, (e: { code?: number }) => (e.code === 404 ? undefined : Promise.reject(e))),
          patchStatus: (n, name, status) => d.call('PATCH', d.objPath(n, name), { status }, 'application/merge-patch+json'),
          recorder: d.recorder,
          now: d.now,
        });
        o.logger?.info({ cronhpa: key, job: job.name, state }, 'cronhpa job ran');
        o.onJobResult?.({ key, job: job.name, state, firedAt, message: 'error' in outcome ? outcome.error : outcome.message });
      })
      .catch((e: unknown) => o.logger?.warn({ err: errorText(e), job: job.name }, 'cronhpa job result not recorded'));
  };
}

export function startController(o: ControllerOptions): RunningController {
  const kc = o.kubeConfig;
  const ns = o.namespace;
  const clock = o.clock ?? { now: Date.now };
  const timeZone = checkTimeZone(o.timeZone ?? 'UTC');
  const limiter = createTokenBucket(o.rateLimit ?? CLIENT_GO_DEFAULTS);
  const call = api(kc, limiter);
  const core = makeKeepAliveClient(kc, CoreV1Api);
  const custom = makeKeepAliveClient(kc, CustomObjectsApi);
  const args = { group: CRONHPA_GROUP, version: CRONHPA_VERSION, plural: CRONHPA_PLURAL };
  const objPath = (n: string, name: string) => `/apis/${CRONHPA_GROUP}/${CRONHPA_VERSION}/namespaces/${n}/${CRONHPA_PLURAL}/${name}`;
  const informer = createInformer<CronHpaObject & KubernetesObject>({
    name: 'cronhorizontalpodautoscalers', kubeConfig: kc, logger: o.logger, onError: o.onInformerError,
    path: ns ? `/apis/${CRONHPA_GROUP}/${CRONHPA_VERSION}/namespaces/${ns}/${CRONHPA_PLURAL}` : `/apis/${CRONHPA_GROUP}/${CRONHPA_VERSION}/${CRONHPA_PLURAL}`,
    list: () => (ns ? custom.listNamespacedCustomObject({ ...args, namespace: ns }) : custom.listClusterCustomObject(args)) as never,
  });
  const q = createWorkQueue();
  for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, (x) => q.add(keyOf(x)));
  const recorder = eventRecorder(core, limiter, o.logger);
  const scales = scaleApi(call);
  let stopped = false;
  const onFire = jobRunner(o, { call, scales, recorder, timeZone, now: clock.now, isStopped: () => stopped, objPath });
  const engine = new CronEngine<CronHpaJob>({ clock, timeZone, run: onFire });
  const manager = new CronManager(engine);
  const deps: SyncDeps = {
    listers: { getCronHpa: (n, name) => informer.get(name, n) },
    writers: { update: (n, name, obj) => call('PUT', objPath(n, name), obj) },
    manager,
    newId: randomUUID,
    now: clock.now,
  };
  const started = informer.start();
  const worker = async () => {
    for (let key = await q.get(); key !== undefined; key = await q.get()) {
      try {
        const r = await reconcileCronHpa(key, deps);
        q.forget(key);
        o.onReconciled?.(key, r);
      } catch (e) {
        if (!stopped) {
          o.logger?.warn({ key, err: errorText(e) }, 'cronhpa reconcile failed; requeued');
          q.addRateLimited(key);
        }
        o.onReconciled?.(key, { outcome: 'error', error: e });
      } finally {
        q.done(key);
      }
    }
  };
  const workers = started.then(() => Promise.all(Array.from({ length: o.workers ?? 1 }, worker)));
  engine.start();
  const synced = waitForCacheSync([informer], o.syncTimeoutMs ?? 60_000);
  synced.catch(() => {});
  return {
    synced,
    jobs: () => engine.list().map((e) => ({ key: `${e.job.owner.namespace}/${e.job.owner.name}`, job: e.job.name, next: e.next })),
    async stop() {
      stopped = true;
      engine.stop();
      q.shutdown();
      limiter.stop();
      await informer.stop().catch(() => {});
      await Promise.race([workers.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}
