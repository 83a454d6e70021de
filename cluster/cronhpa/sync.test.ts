import { describe, expect, it } from 'vitest';
import { CronEngine } from './engine.ts';
import type { CronHpaJob } from './job.ts';
import { CronManager, handleJobResult, reconcileCronHpa, type SyncDeps } from './sync.ts';
import type { CronHpaObject, CronHpaStatus, CronJobSpec } from './types.ts';

const NOW = Date.parse('2024-05-06T06:00:00Z');
const ref = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web-hpa' };

/** An in-memory API with one CronHPA: the lister reads it, `update` replaces it. */
function world(jobs: CronJobSpec[], excludeDates?: string[]) {
  let obj: CronHpaObject | undefined = { metadata: { name: 'cron', namespace: 'shop', uid: 'u' }, spec: { scaleTargetRef: ref, jobs, ...(excludeDates ? { excludeDates } : {}) } };
  let ids = 0;
  let failWrite = 0;
  const writes: CronHpaStatus[] = [];
  const engine = new CronEngine<CronHpaJob>({ clock: { now: () => NOW }, timeZone: 'UTC', run: () => {} });
  const deps: SyncDeps = {
    listers: { getCronHpa: (ns, name) => (obj && ns === 'shop' && name === 'cron' ? obj : undefined) },
    writers: {
      update: async (_ns, _n, o) => {
        if (failWrite-- > 0) throw Object.assign(new Error('conflict'), { code: 409 });
        obj = structuredClone(o);
        writes.push(o.status!);
      },
    },
    manager: new CronManager(engine),
    newId: () => `id${++ids}`,
    now: () => NOW,
  };
  return {
    deps, engine, writes,
    get obj() {
      return obj!;
    },
    edit(f: (o: CronHpaObject) => void) {
      obj = structuredClone(obj!);
      f(obj);
    },
    remove() {
      obj = undefined;
    },
    failNextWrite() {
      failWrite = 1;
    },
  };
}

const up = { name: 'up', schedule: '0 0 8 * * *', targetSize: 6 };
const down = { name: 'down', schedule: '0 0 20 * * *', targetSize: 2 };

describe('reconcileCronHpa (controller.go Reconcile)', () => {
  it('submits every job once, with its id, state Submitted and the global params in status', async () => {
    const w = world([up, down]);
    const r = await reconcileCronHpa('shop/cron', w.deps);
    expect(r.submitted).toEqual(['up', 'down']);
    expect(w.obj.status).toMatchObject({ scaleTargetRef: ref, conditions: [{ name: 'up', jobId: 'id1', state: 'Submitted' }, { name: 'down', jobId: 'id2', state: 'Submitted' }] });
    expect(w.engine.list().map((e) => [e.job.name, e.next])).toEqual([['up', Date.parse('2024-05-06T08:00:00Z')], ['down', Date.parse('2024-05-06T20:00:00Z')]]);
  });

  it('is idempotent: a second sync writes nothing and keeps the jobs', async () => {
    const w = world([up, down]);
    await reconcileCronHpa('shop/cron', w.deps);
    const again = await reconcileCronHpa('shop/cron', w.deps);
    expect(again).toMatchObject({ submitted: [], removed: [], wroteStatus: false });
    expect(w.writes).toHaveLength(1);
    expect(w.deps.manager.size).toBe(2);
  });

  it('resubmits a job whose schedule, targetSize or runOnce changed, under a new id', async () => {
    const w = world([up, down]);
    await reconcileCronHpa('shop/cron', w.deps);
    w.edit((o) => void (o.spec!.jobs[0] = { ...up, targetSize: 8 }));
    const r = await reconcileCronHpa('shop/cron', w.deps);
    expect(r).toMatchObject({ removed: ['up'], submitted: ['up'] });
    expect(w.obj.status!.conditions!.find((c) => c.name === 'up')).toMatchObject({ jobId: 'id3', targetSize: 8 });
    expect(w.engine.list().map((e) => e.id).sort()).toEqual(['id2', 'id3']);
  });

  it('drops a job removed from the spec, engine and condition', async () => {
    const w = world([up, down]);
    await reconcileCronHpa('shop/cron', w.deps);
    w.edit((o) => void o.spec!.jobs.pop());
    const r = await reconcileCronHpa('shop/cron', w.deps);
    expect(r.removed).toEqual(['down']);
    expect(w.obj.status!.conditions!.map((c) => c.name)).toEqual(['up']);
    expect(w.deps.manager.size).toBe(1);
  });

  it('a new target or excludeDates resubmits every job (checkGlobalParamsChanges)', async () => {
    const w = world([up, down]);
    await reconcileCronHpa('shop/cron', w.deps);
    w.edit((o) => void (o.spec!.excludeDates = ['* * * * * 0']));
    const r = await reconcileCronHpa('shop/cron', w.deps);
    expect(r.removed).toEqual(['up', 'down']);
    expect(w.obj.status!.conditions!.map((c) => c.jobId)).toEqual(['id3', 'id4']);
    expect(w.obj.status!.excludeDates).toEqual(['* * * * * 0']);
    expect(w.deps.manager.size).toBe(2);
  });

  it('a run-once job in a final state leaves the engine and keeps its condition', async () => {
    const w = world([{ ...up, runOnce: true }]);
    await reconcileCronHpa('shop/cron', w.deps);
    w.edit((o) => void (o.status!.conditions![0]!.state = 'Succeed'));
    const r = await reconcileCronHpa('shop/cron', w.deps);
    expect(r.wroteStatus).toBe(false);
    expect(w.deps.manager.size).toBe(0);
    expect(w.obj.status!.conditions![0]!.state).toBe('Succeed');
  });

  it('an unparsable schedule is a Failed condition, the other jobs run', async () => {
    const w = world([{ name: 'bad', schedule: '0 0 25 * * *', targetSize: 3 }, up]);
    await reconcileCronHpa('shop/cron', w.deps);
    const bad = w.obj.status!.conditions!.find((c) => c.name === 'bad')!;
    expect(bad.state).toBe('Failed');
    expect(bad.message).toMatch(/^Failed to update cron hpa job bad,because of Failed to add job to cronExecutor,because of .*25 is above the maximum 23/);
    expect(w.engine.list().map((e) => e.job.name)).toEqual(['up']);
  });

  it('a failed status write withdraws the jobs it added and fails, so the retry submits them once', async () => {
    const w = world([up]);
    w.failNextWrite();
    await expect(reconcileCronHpa('shop/cron', w.deps)).rejects.toThrow('conflict');
    expect(w.deps.manager.size).toBe(0);
    await reconcileCronHpa('shop/cron', w.deps);
    expect(w.deps.manager.size).toBe(1);
  });

  it('an object without jobs or target (no schema validation) runs nothing and writes nothing', async () => {
    const w = world([up]);
    await reconcileCronHpa('shop/cron', w.deps);
    w.edit((o) => void delete (o.spec as { jobs?: unknown }).jobs);
    expect(await reconcileCronHpa('shop/cron', w.deps)).toMatchObject({ removed: ['up'], wroteStatus: false });
    expect(w.engine.list()).toEqual([]);
  });

  it('a deleted CronHPA has its jobs removed (GC)', async () => {
    const w = world([up, down]);
    await reconcileCronHpa('shop/cron', w.deps);
    w.remove();
    expect(await reconcileCronHpa('shop/cron', w.deps)).toMatchObject({ outcome: 'deleted', removed: ['up', 'down'] });
    expect(w.engine.list()).toEqual([]);
  });
});

describe('handleJobResult (cronmanager.go JobResultHandler)', () => {
  const job: CronHpaJob = { id: 'id1', name: 'up', schedule: '0 0 8 * * *', targetSize: 6, runOnce: false, ref: { name: 'web-hpa', namespace: 'shop', kind: 'HorizontalPodAutoscaler', group: 'autoscaling', version: 'v2' }, excludeDates: undefined, owner: { namespace: 'shop', name: 'cron' } };
  const instance: CronHpaObject = { metadata: { name: 'cron', namespace: 'shop' }, status: { conditions: [{ name: 'up', jobId: 'id1', schedule: '0 0 8 * * *', targetSize: 6, runOnce: false, state: 'Submitted', lastProbeTime: '', message: '' }] } };

  function deps(patchFailures = 0) {
    const events: string[] = [];
    const patched: CronHpaStatus[] = [];
    let fails = patchFailures;
    return {
      events, patched,
      d: {
        get: async () => structuredClone(instance),
        patchStatus: async (_ns: string, _n: string, s: CronHpaStatus) => {
          if (fails-- > 0) throw new Error('boom');
          patched.push(s);
        },
        recorder: { event: (_o: CronHpaObject, type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`) },
        now: () => NOW,
      },
    };
  }

  it('a success becomes Succeed with the message and a Normal event named by the state', async () => {
    const x = deps();
    expect(await handleJobResult(job, { message: 'current replicas:3, desired replicas:6.' }, x.d)).toBe('Succeed');
    expect(x.patched[0]!.conditions).toEqual([expect.objectContaining({ state: 'Succeed', message: 'cron hpa job up executed successfully. current replicas:3, desired replicas:6.', lastProbeTime: '2024-05-06T06:00:00.000Z' })]);
    expect(x.events).toEqual(['Normal Succeed cron hpa job up executed successfully. current replicas:3, desired replicas:6.']);
  });

  it('a failure becomes Failed with a Warning event', async () => {
    const x = deps();
    expect(await handleJobResult(job, { error: 'no hpa' }, x.d)).toBe('Failed');
    expect(x.events).toEqual(['Warning Failed cron hpa failed to execute, because of no hpa']);
  });

  it('the status patch is tried three times; then a Warning Failed event', async () => {
    const ok = deps(2);
    expect(await handleJobResult(job, { message: 'm' }, ok.d)).toBe('Succeed');
    const ko = deps(3);
    expect(await handleJobResult(job, { message: 'm' }, ko.d)).toBeUndefined();
    expect(ko.events).toEqual(['Warning Failed Failed to update cronhpa status: boom']);
  });
});
