import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { syncElasticWorkload, SyncError, type SyncDeps } from './sync.ts';
import { processItem } from './controller.ts';
import { createWorkQueue } from '../kube/queue.ts';
import { LABEL_UNIT, LABEL_WORKLOAD, type EwObject, type EwStatus } from './unit.ts';

const NS = 'shop';
const KEY = `${NS}/web`;

/** An in-memory API: listers read it, writers change it, and every call is logged in order. */
function fakeApi(ew: EwObject, deployments: V1Deployment[] = [source(1)]) {
  const deps = new Map(deployments.map((d) => [d.metadata!.name!, d]));
  const pods: V1Pod[] = [];
  const log: string[] = [];
  const fail = new Map<string, unknown>();
  let current: EwObject | undefined = ew;
  const maybeFail = (op: string) => {
    const e = fail.get(op);
    if (e) {
      fail.delete(op);
      throw e;
    }
  };
  const write = async (op: string, f: () => void) => {
    await Promise.resolve();
    maybeFail(op.split(' ').slice(0, 2).join(' '));
    f();
    log.push(op);
  };
  const api: SyncDeps = {
    listers: {
      getElasticWorkload: (ns, name) => (ns === NS && name === current?.metadata?.name ? current : undefined),
      getDeployment: (ns, name) => (ns === NS ? deps.get(name) : undefined),
      listDeployments: (ns) => (ns === NS ? [...deps.values()] : []),
      listUnitPods: (ns) => (ns === NS ? pods : []),
    },
    writers: {
      createDeployment: (_ns, body) => write(`create ${body.metadata!.name}`, () => void deps.set(body.metadata!.name!, structuredClone(body))),
      replaceDeployment: (_ns, name, body) => write(`replace ${name}`, () => void deps.set(name, structuredClone(body))),
      scaleDeployment: (_ns, name, replicas) => write(`scale ${name} ${replicas}`, () => void (deps.get(name)!.spec!.replicas = replicas)),
      deleteDeployment: (_ns, name) => write(`delete ${name}`, () => void deps.delete(name)),
      updateStatus: (_ns, _name, status: EwStatus) => write('status', () => void (current = { ...current!, status })),
    },
    recorder: { event: (_ew, type, reason) => void log.push(`event ${type} ${reason}`) },
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  return {
    api, deps, pods, log, fail,
    ew: () => current!,
    setSpec: (spec: Partial<NonNullable<EwObject['spec']>>) => void (current = { ...current!, metadata: { ...current!.metadata, generation: (current!.metadata?.generation ?? 1) + 1 }, spec: { ...current!.spec!, ...spec } }),
    unitPods: (unit: string, n: number) => {
      for (let i = 0; i < n; i++) pods.push({ metadata: { name: `${unit}-${i}`, namespace: NS, labels: { [LABEL_WORKLOAD]: 'web', [LABEL_UNIT]: unit } } });
    },
  };
}

function source(replicas: number): V1Deployment {
  return {
    metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
  };
}
function ew(replicas: number, units: object[] = [{ name: 'vk', nodeSelector: { type: 'virtual-kubelet' } }], st: object = { min: 0, max: 2 }): EwObject {
  return {
    metadata: { name: 'web', namespace: NS, uid: 'uid-1', generation: 1 },
    spec: { replicas, sourceTarget: { name: 'web', kind: 'Deployment', apiVersion: 'apps/v1', ...st }, elasticUnit: units as never },
  };
}

describe('syncElasticWorkload', () => {
  it('splits over the source and units in list order, each unit up to its max, then is idempotent', async () => {
    const f = fakeApi(ew(9, [{ name: 'a', max: 3 }, { name: 'b' }]));
    const r = await syncElasticWorkload(KEY, f.api);
    expect(r.outcome).toBe('ok');
    expect(f.deps.get('web-unit-a')?.spec?.replicas).toBe(3);
    expect(f.deps.get('web-unit-b')?.spec?.replicas).toBe(4);
    expect(f.deps.get('web')?.spec?.replicas).toBe(2);
    expect(f.ew().status).toMatchObject({ replicas: 9, selector: 'app=web', sourceTarget: { desiredReplicas: 2 }, elasticUnitsStatus: [{ name: 'web-unit-a', desiredReplicas: 3 }, { name: 'web-unit-b', desiredReplicas: 4 }] });
    expect(r.events.sort()).toEqual(['ElasticWorkloadUpdate', 'UnitCreation', 'UnitCreation']);
    // Each event after its own write; the split event after every write.
    expect(f.log.indexOf('event Normal UnitCreation')).toBeGreaterThan(f.log.indexOf('create web-unit-a'));
    expect(f.log.at(-1)).toBe('event Normal ElasticWorkloadUpdate');
    f.log.length = 0;
    expect(await syncElasticWorkload(KEY, f.api)).toMatchObject({ outcome: 'ok', writes: [], events: [] });
    expect(f.log).toEqual([]);
  });

  it('scales in the last unit first and holds the source until unit pods are gone', async () => {
    const f = fakeApi(ew(7, [{ name: 'a', max: 2 }, { name: 'b' }]));
    await syncElasticWorkload(KEY, f.api);
    f.unitPods('a', 2);
    f.unitPods('b', 3);
    f.setSpec({ replicas: 1 });
    f.log.length = 0;
    const held = await syncElasticWorkload(KEY, f.api);
    expect(held.outcome).toBe('holding');
    expect(f.log.filter((l) => l.startsWith('scale')).sort()).toEqual(['scale web-unit-a 0', 'scale web-unit-b 0']);
    expect(f.deps.get('web')?.spec?.replicas).toBe(2);
    f.pods.length = 0;
    for (const u of ['web-unit-a', 'web-unit-b']) f.deps.get(u)!.status = { replicas: 0 };
    const done = await syncElasticWorkload(KEY, f.api);
    expect(done.outcome).toBe('ok');
    expect(done.writes).toContain('scale web 1');
    expect(f.deps.get('web')?.spec?.replicas).toBe(1);
  });

  it('recreates a unit Deployment deleted by hand', async () => {
    const f = fakeApi(ew(5));
    await syncElasticWorkload(KEY, f.api);
    f.deps.delete('web-unit-vk');
    const r = await syncElasticWorkload(KEY, f.api);
    expect(r.writes).toEqual(['create web-unit-vk 3']);
    expect(r.events).toEqual(['UnitCreation']);
    expect(f.deps.get('web-unit-vk')?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ElasticWorkload', name: 'web', uid: 'uid-1', controller: true });
  });

  it('an invalid spec (min above max) sets Valid=False and one Warning event, and writes no Deployment', async () => {
    const f = fakeApi(ew(9, undefined, { min: 4, max: 2 }));
    const r = await syncElasticWorkload(KEY, f.api);
    expect(r.outcome).toBe('invalid');
    expect(f.log).toEqual(['status', 'event Warning InvalidSpec']);
    expect(f.ew().status?.conditions).toEqual([expect.objectContaining({ type: 'Valid', status: 'False', reason: 'InvalidSpec', message: 'spec.sourceTarget: min 4 is above max 2' })]);
    expect(f.deps.get('web')?.spec?.replicas).toBe(1);
    expect(f.deps.size).toBe(1);
  });

  it('a missing source Deployment is reported the same way', async () => {
    const f = fakeApi(ew(3), []);
    const r = await syncElasticWorkload(KEY, f.api);
    expect(r).toMatchObject({ outcome: 'invalid', writes: ['status'], events: ['SourceNotFound'] });
    expect(f.ew().status?.conditions?.[0]).toMatchObject({ reason: 'SourceNotFound', message: `source Deployment ${NS}/web not found` });
    expect(f.deps.size).toBe(0);
  });

  it('records no event for a write that failed', async () => {
    const f = fakeApi(ew(5));
    f.fail.set('create web-unit-vk', Object.assign(new Error('forbidden'), { code: 403 }));
    const err = await syncElasticWorkload(KEY, f.api).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).code).toBe(403);
    expect((err as SyncError).result.writes.sort()).toEqual(['scale web 2', 'status']);
    expect(f.log.filter((l) => l.startsWith('event'))).toEqual([]);
  });

  it('returns deleted for an EW that is gone, writing nothing', async () => {
    const f = fakeApi(ew(3));
    await expect(syncElasticWorkload(`${NS}/other`, f.api)).resolves.toMatchObject({ outcome: 'deleted', writes: [] });
  });
});

describe('processItem (the worker step)', () => {
  it('requeues a 409 conflict with backoff and succeeds on the retry', async () => {
    const f = fakeApi(ew(5));
    await syncElasticWorkload(KEY, f.api);
    f.setSpec({ replicas: 6 });
    f.fail.set('scale web-unit-vk', Object.assign(new Error('the object has been modified'), { code: 409 }));
    const q = createWorkQueue({ baseDelayMs: 1 });
    const acks: string[] = [];
    const hooks = { drainRecheckMs: 1, isStopped: () => false, onReconciled: (_k: string, r: { outcome: string }) => void acks.push(r.outcome) };
    q.add(KEY);
    const first = await processItem(q, (await q.get())!, (k) => syncElasticWorkload(k, f.api), hooks);
    expect(first.outcome).toBe('error');
    expect((first.error as SyncError).code).toBe(409);
    expect(first.events).not.toContain('UnitUpdate');
    const retried = await q.get(); // comes back after the backoff, no one re-adds it
    expect(retried).toBe(KEY);
    const second = await processItem(q, retried!, (k) => syncElasticWorkload(k, f.api), hooks);
    expect(second.outcome).toBe('ok');
    expect(second.writes).toContain('scale web-unit-vk 4');
    expect(f.deps.get('web-unit-vk')?.spec?.replicas).toBe(4);
    expect(acks).toEqual(['error', 'ok']);
    q.shutdown();
  });

  it('rechecks a holding scale-in after drainRecheckMs', async () => {
    const q = createWorkQueue();
    q.add(KEY);
    const r = await processItem(q, (await q.get())!, async () => ({ outcome: 'holding', writes: [], events: [] }), { drainRecheckMs: 5, isStopped: () => false });
    expect(r.outcome).toBe('holding');
    expect(q.length).toBe(0);
    expect(await q.get()).toBe(KEY);
    q.shutdown();
  });
});
