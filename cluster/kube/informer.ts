import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/**
 * One informer for the whole project, on top of the client library's ListWatch (which keeps the
 * cache and resumes watches from the last resourceVersion). What the library lacks and this adds:
 *
 * - a real has-synced: `synced` resolves only after a list succeeded (the library's `start()`
 *   resolves even when the list failed, leaving an empty cache that looks complete);
 * - restarts after a failed list or a broken watch, with capped exponential backoff and jitter
 *   (client-go's reflector shape), instead of a fixed short retry that hammers a sick API server;
 * - every failure reported to the logger and an `onError` hook with the attempt and the next delay.
 */

/** The watch transport of the client library (`new Watch(kubeConfig)`); injectable for tests. */
export interface WatchTransport {
  watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, obj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export interface Backoff {
  /** First retry delay. */
  initialMs: number;
  /** Cap of the delay. */
  maxMs: number;
  factor: number;
  /** ± fraction of the delay drawn at random, so informers that failed together do not retry together. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.2 };

export interface InformerErrorInfo {
  informer: string;
  /** Consecutive failures so far, 1 for the first. */
  attempt: number;
  /** When the informer tries again. */
  retryInMs: number;
  synced: boolean;
}

export interface InformerOptions<T extends KubernetesObject> {
  /** Names the informer in logs and errors (e.g. "deployments"). */
  name: string;
  /** Collection path, e.g. `/apis/apps/v1/namespaces/ns/deployments`. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  /** Where the watch connects; ignored when `watch` is given. */
  kubeConfig?: KubeConfig;
  watch?: WatchTransport;
  logger?: Logger;
  onError?: (err: unknown, info: InformerErrorInfo) => void;
  backoff?: Partial<Backoff>;
  /** [0, 1) source for the jitter; Math.random by default. */
  random?: () => number;
}

export interface SharedInformer<T extends KubernetesObject> extends ObjectCache<T> {
  readonly name: string;
  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void;
  /** Starts listing and watching; resolves like `synced`. */
  start(): Promise<void>;
  /** Resolves after the first successful list; rejects only if stopped before that. */
  readonly synced: Promise<void>;
  hasSynced(): boolean;
  /** The last failure, cleared by the next success. */
  lastError(): unknown;
  stop(): Promise<void>;
}

/** Delay before retry `attempt` (1-based): initial × factor^(attempt−1), capped, ± jitter. Pure. */
export function backoffDelay(attempt: number, b: Backoff, random: () => number): number {
  const base = Math.min(b.maxMs, b.initialMs * b.factor ** Math.max(0, attempt - 1));
  const spread = base * b.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(b.maxMs, Math.round(base + spread)));
}

export function createInformer<T extends KubernetesObject>(o: InformerOptions<T>): SharedInformer<T> {
  const backoff = { ...DEFAULT_BACKOFF, ...o.backoff };
  const random = o.random ?? Math.random;
  const transport = o.watch ?? (o.kubeConfig ? (new Watch(o.kubeConfig) as unknown as WatchTransport) : undefined);
  if (!transport) throw new Error(`informer ${o.name}: needs a kubeConfig or a watch transport`);
  let hasSynced = false;
  let stopped = true;
  let failures = 0;
  let last: unknown;
  let timer: NodeJS.Timeout | undefined;
  let resolveSynced!: () => void;
  let rejectSynced!: (e: unknown) => void;
  const synced = new Promise<void>((res, rej) => {
    resolveSynced = res;
    rejectSynced = rej;
  });
  synced.catch(() => {}); // stopping before sync is not an unhandled failure

  let listedSinceWatch = false;
  const listed = async () => {
    const l = await o.list();
    listedSinceWatch = true;
    return l;
  };
  const watching = trackingTransport(transport, () => {
    if (!listedSinceWatch || stopped) return;
    listedSinceWatch = false;
    failures = 0;
    last = undefined;
    if (!hasSynced) {
      hasSynced = true;
      resolveSynced();
    }
  }, () => void (failures = 0));
  const lw = new ListWatch<T>(o.path, watching as unknown as Watch, listed, false, o.labelSelector, o.fieldSelector);

  const run = async () => {
    timer = undefined;
    if (stopped) return;
    try {
      await lw.start();
    } catch (e) {
      onFailure(e);
    }
  };
  const onFailure = (err: unknown) => {
    if (stopped) return;
    failures++;
    last = err;
    const retryInMs = backoffDelay(failures, backoff, random);
    const info: InformerErrorInfo = { informer: o.name, attempt: failures, retryInMs, synced: hasSynced };
    o.logger?.[failures > 3 ? 'warn' : 'debug']({ err: errorText(err), ...info }, `informer ${o.name}: list/watch failed; retrying`);
    o.onError?.(err, info);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(), retryInMs);
  };
  lw.on('error', onFailure);

  return {
    name: o.name,
    on: (verb, cb) => lw.on(verb, cb),
    get: (name, namespace) => lw.get(name, namespace),
    list: (namespace) => lw.list(namespace),
    synced,
    hasSynced: () => hasSynced,
    lastError: () => last,
    start() {
      if (stopped) {
        stopped = false;
        void run();
      }
      return synced;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!hasSynced) rejectSynced(new Error(`informer ${o.name} stopped before it synced${last ? `: ${errorText(last)}` : ''}`));
      await lw.stop();
    },
  };
}

/**
 * The library fills its cache from the list and then opens the watch: that call is the moment the
 * cache is complete (`beforeWatch`). A watch that connects without failing ends a run of failures.
 */
function trackingTransport(inner: WatchTransport, beforeWatch: () => void, connected: () => void): WatchTransport {
  return {
    async watch(path, query, callback, done) {
      beforeWatch();
      let failedAtConnect = false;
      const req = await inner.watch(path, query, callback, (err) => {
        if (err) failedAtConnect = true;
        done(err);
      });
      if (!failedAtConnect) connected();
      return req;
    },
  };
}

/**
 * Resolves when every informer has synced; after `timeoutMs` rejects naming the ones that have not
 * and their last error (they keep retrying).
 */
export async function waitForCacheSync(informers: readonly SharedInformer<KubernetesObject>[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const pending = informers.filter((i) => !i.hasSynced()).map((i) => `${i.name}${i.lastError() ? ` (${errorText(i.lastError())})` : ''}`);
      reject(new Error(`caches not synced after ${timeoutMs} ms: ${pending.join(', ')}`));
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.all(informers.map((i) => i.synced)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorText(e: unknown): string {
  const body = (e as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string' && body) return body.slice(0, 500);
  const code = (e as { code?: unknown; statusCode?: unknown } | undefined)?.code ?? (e as { statusCode?: unknown } | undefined)?.statusCode;
  const msg = e instanceof Error ? e.message : String(e);
  return typeof code === 'number' && !msg.includes(String(code)) ? `${code} ${msg}` : msg;
}
