import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubernetesListObject, V1ConfigMap } from '@kubernetes/client-node';
import { backoffDelay, createInformer, DEFAULT_BACKOFF, waitForCacheSync, type WatchTransport } from './informer.ts';

type Done = (err: unknown) => void;
type Cb = (phase: string, obj: unknown) => void;

/** A fake API: a list function whose answers the test scripts, and a watch the test drives. */
function fakeApi() {
  const lists: (() => KubernetesListObject<V1ConfigMap>)[] = [];
  const watches: { query: Record<string, unknown>; cb: Cb; done: Done; aborted: boolean }[] = [];
  let listCalls = 0;
  const watch: WatchTransport = {
    async watch(_path, query, cb, done) {
      const w = { query, cb, done, aborted: false };
      watches.push(w);
      return { abort: () => void (w.aborted = true) };
    },
  };
  const list = async () => {
    listCalls++;
    const next = lists.shift();
    if (!next) throw new Error('no scripted list');
    return next();
  };
  return { lists, watches, watch, list, listCalls: () => listCalls };
}
const cm = (name: string, rv = '1'): V1ConfigMap => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const ok = (items: V1ConfigMap[], rv = '10') => () => ({ items, metadata: { resourceVersion: rv } });
const fail = (code: number) => () => {
  throw Object.assign(new Error(`HTTP ${code}`), { code });
};

describe('backoff', () => {
  it('doubles from the initial delay up to the cap, with bounded jitter', () => {
    const b = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, b, Math.random))).toEqual([200, 400, 800, 1600]);
    expect(backoffDelay(30, b, Math.random)).toBe(30_000);
    const j = { ...DEFAULT_BACKOFF, jitter: 0.2 };
    expect(backoffDelay(3, j, () => 0)).toBe(640);
    expect(backoffDelay(3, j, () => 0.999999)).toBe(960);
    expect(backoffDelay(30, j, () => 0.999999)).toBe(30_000);
  });
});

describe('informer', () => {
  afterEach(() => void vi.useRealTimers());

  it('syncs only after a successful list, retrying with growing delays and reporting each failure', async () => {
    vi.useFakeTimers();
    const api = fakeApi();
    api.lists.push(fail(500), fail(503), ok([cm('a'), cm('b')]));
    const errors: { attempt: number; retryInMs: number; synced: boolean }[] = [];
    const inf = createInformer({ name: 'configmaps', path: '/api/v1/namespaces/ns/configmaps', list: api.list, watch: api.watch, random: () => 0.5, onError: (_e, i) => errors.push(i) });
    let synced = false;
    void inf.start().then(() => (synced = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(synced).toBe(false);
    expect(inf.hasSynced()).toBe(false);
    expect(inf.list('ns')).toEqual([]);
    expect(errors).toEqual([{ informer: 'configmaps', attempt: 1, retryInMs: 200, synced: false }]);
    expect((inf.lastError() as Error).message).toBe('HTTP 500');
    await vi.advanceTimersByTimeAsync(199);
    expect(api.listCalls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.listCalls()).toBe(2);
    expect(errors.map((e) => e.retryInMs)).toEqual([200, 400]);
    await vi.advanceTimersByTimeAsync(400);
    expect(synced).toBe(true);
    expect(inf.list('ns').map((c) => c.metadata?.name).sort()).toEqual(['a', 'b']);
    expect(inf.lastError()).toBeUndefined();
    expect(api.watches).toHaveLength(1);
    expect(api.watches[0]!.query.resourceVersion).toBe('10');
    await inf.stop();
  });

  it('delivers watch events to handlers and restarts a broken watch from the last resourceVersion', async () => {
    vi.useFakeTimers();
    const api = fakeApi();
    api.lists.push(ok([cm('a')]));
    const inf = createInformer({ name: 'cms', path: '/p', list: api.list, watch: api.watch, random: () => 0.5 });
    const seen: string[] = [];
    inf.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    inf.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    inf.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await inf.start();
    api.watches[0]!.cb('ADDED', cm('b', '11'));
    api.watches[0]!.cb('MODIFIED', cm('a', '12'));
    api.watches[0]!.cb('DELETED', cm('b', '13'));
    expect(seen).toEqual(['add a', 'add b', 'update a', 'delete b']);
    api.watches[0]!.done(new Error('connection reset'));
    await vi.advanceTimersByTimeAsync(200);
    expect(api.watches).toHaveLength(2);
    expect(api.watches[1]!.query.resourceVersion).toBe('13');
    expect(api.listCalls()).toBe(1);
    await inf.stop();
  });

  it('relists after 410 Gone and reports deletions that happened meanwhile', async () => {
    vi.useFakeTimers();
    const api = fakeApi();
    api.lists.push(ok([cm('a'), cm('b')]), ok([cm('a')], '50'));
    const inf = createInformer({ name: 'cms', path: '/p', list: api.list, watch: api.watch });
    const deleted: string[] = [];
    inf.on('delete', (o) => deleted.push(o.metadata!.name!));
    await inf.start();
    api.watches[0]!.done(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(deleted).toEqual(['b']);
    expect(api.watches[1]!.query.resourceVersion).toBe('50');
    await inf.stop();
  });

  it('rejects synced when stopped before it ever listed, naming the last error, and stops retrying', async () => {
    vi.useFakeTimers();
    const api = fakeApi();
    api.lists.push(fail(403));
    const inf = createInformer({ name: 'secrets', path: '/p', list: api.list, watch: api.watch });
    const started = inf.start();
    await vi.advanceTimersByTimeAsync(0);
    await inf.stop();
    await expect(started).rejects.toThrow(/secrets stopped before it synced: HTTP 403/);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.listCalls()).toBe(1);
  });

  it('waitForCacheSync names the informers that did not sync and their errors', async () => {
    vi.useFakeTimers();
    const a = fakeApi();
    a.lists.push(ok([]));
    const b = fakeApi();
    for (let i = 0; i < 50; i++) b.lists.push(fail(404));
    const ia = createInformer({ name: 'pods', path: '/a', list: a.list, watch: a.watch });
    const ib = createInformer({ name: 'elasticworkloads', path: '/b', list: b.list, watch: b.watch });
    void ia.start();
    void ib.start();
    const wait = waitForCacheSync([ia, ib], 1000);
    const check = expect(wait).rejects.toThrow(/not synced after 1000 ms: elasticworkloads \(HTTP 404\)$/);
    await vi.advanceTimersByTimeAsync(1000);
    await check;
    expect(ia.hasSynced()).toBe(true);
    await ia.stop();
    await ib.stop();
  });
});
