import { describe, expect, it } from 'vitest';
import { isRunOnce, jobEquals, jobFactory, runJob, type HpaObject, type ScaleApi } from './job.ts';
import type { CronHpaObject } from './types.ts';

const cronHpa = (ref: { apiVersion: string; kind: string; name: string }, excludeDates?: string[]): CronHpaObject => ({
  metadata: { name: 'cron', namespace: 'shop' },
  spec: { scaleTargetRef: ref, jobs: [], ...(excludeDates ? { excludeDates } : {}) },
});
const onHpa = cronHpa({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web-hpa' });
const onDeployment = cronHpa({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });

/** An API with one HPA over one Deployment; writes are logged, failures injected by count. */
function fakeApi(hpa: { min: number; max: number; current: number }, replicas: number, failures: { updateHpa?: number } = {}) {
  const log: string[] = [];
  let obj: HpaObject = { metadata: { name: 'web-hpa', namespace: 'shop' }, spec: { minReplicas: hpa.min, maxReplicas: hpa.max, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } }, status: { currentReplicas: hpa.current } };
  let updateFailures = failures.updateHpa ?? 0;
  const api: ScaleApi = {
    getHpa: async (_ns, name) => (name === 'web-hpa' ? structuredClone(obj) : Promise.reject(new Error('not found'))),
    updateHpa: async (_ns, h) => {
      if (updateFailures-- > 0) throw Object.assign(new Error('conflict'), { code: 409 });
      obj = structuredClone(h);
      log.push(`hpa min ${h.spec!.minReplicas} max ${h.spec!.maxReplicas}`);
    },
    getScale: async (_ns, ref) => (ref.kind === 'Deployment' && ref.name === 'web' ? replicas : Promise.reject(new Error('no such'))),
    setScale: async (_ns, ref, n) => {
      replicas = n;
      log.push(`scale ${ref.kind} ${ref.name} ${n}`);
    },
  };
  return { api, log, hpa: () => obj };
}

const opts = (api: ScaleApi, now = Date.parse('2024-05-06T08:00:00Z')) => ({ api, now: () => now, timeZone: 'UTC', sleep: async () => {}, retryIntervalMs: 0 });

describe('jobFactory (CronHPAJobFactory)', () => {
  it('builds the job with the CronHPA namespace and the split apiVersion', () => {
    const j = jobFactory(onHpa, { name: 'up', schedule: '0 0 8 * * *', targetSize: 6 }, 'id1');
    expect(j.ref).toEqual({ name: 'web-hpa', namespace: 'shop', kind: 'HorizontalPodAutoscaler', group: 'autoscaling', version: 'v2' });
    expect(j.runOnce).toBe(false);
  });
  it('refuses a reference with an empty part (a core "v1" apiVersion included)', () => {
    expect(() => jobFactory(cronHpa({ apiVersion: 'v1', kind: 'ReplicationController', name: 'x' }), { name: 'j', schedule: '@daily', targetSize: 1 }, 'i')).toThrow('any properties in ref could not be empty');
  });
  it('equals by id, schedule and target; a @date schedule is run-once', () => {
    const a = jobFactory(onHpa, { name: 'up', schedule: '0 0 8 * * *', targetSize: 6 }, 'id1');
    expect(jobEquals(a, { ...a, targetSize: 9 })).toBe(true);
    expect(jobEquals(a, { ...a, schedule: '0 0 9 * * *' })).toBe(false);
    expect(jobEquals(a, { ...a, id: 'id2' })).toBe(false);
    expect(isRunOnce({ schedule: '@date 2024-05-06 08:00:00' })).toBe(true);
    expect(isRunOnce({ schedule: '0 0 8 * * *', runOnce: true })).toBe(true);
    expect(isRunOnce({ schedule: '0 0 8 * * *' })).toBe(false);
  });
});

describe('runJob on an HPA (ScaleHPA)', () => {
  it('raises min and scales the workload up at once when it runs fewer', async () => {
    const f = fakeApi({ min: 2, max: 10, current: 3 }, 3);
    const msg = await runJob(jobFactory(onHpa, { name: 'up', schedule: '@daily', targetSize: 6 }, 'i'), opts(f.api));
    expect(f.log).toEqual(['hpa min 6 max 10', 'scale Deployment web 6']);
    expect(msg).toBe('current replicas:3, desired replicas:6.');
  });
  it('raises max with min when the target exceeds it', async () => {
    const f = fakeApi({ min: 2, max: 10, current: 4 }, 4);
    await runJob(jobFactory(onHpa, { name: 'up', schedule: '@daily', targetSize: 15 }, 'i'), opts(f.api));
    expect(f.hpa().spec).toMatchObject({ minReplicas: 15, maxReplicas: 15 });
  });
  it('never below the current count (issue #54): the floor is handed back, the replicas left to the HPA', async () => {
    const f = fakeApi({ min: 8, max: 10, current: 9 }, 9);
    const msg = await runJob(jobFactory(onHpa, { name: 'down', schedule: '@daily', targetSize: 2 }, 'i'), opts(f.api));
    expect(f.log).toEqual(['hpa min 2 max 10']);
    expect(msg).toBe('Skip scale replicas because HPA web-hpa in namespace shop current replicas:9 >= desired replicas:2.');
  });
  it('retries a conflicting HPA update every interval and succeeds', async () => {
    const f = fakeApi({ min: 2, max: 10, current: 3 }, 3, { updateHpa: 2 });
    await runJob(jobFactory(onHpa, { name: 'up', schedule: '@daily', targetSize: 5 }, 'i'), opts(f.api));
    expect(f.log).toEqual(['hpa min 5 max 10', 'scale Deployment web 5']);
  });
  it('gives up after the retry timeout with upstream\'s message', async () => {
    const f = fakeApi({ min: 2, max: 10, current: 3 }, 3);
    let wall = 0;
    const job = jobFactory(cronHpa({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'missing' }), { name: 'up', schedule: '@daily', targetSize: 5 }, 'i');
    await expect(runJob(job, { ...opts(f.api), wallNow: () => wall, sleep: async (ms) => void (wall += ms), retryIntervalMs: 3000, retryTimeoutMs: 10_000 }))
      .rejects.toThrow('failed to scale HorizontalPodAutoscaler missing in shop namespace to 5 after retrying 4 times and exit,because of Failed to get HorizontalPodAutoscaler Ref,because of not found');
  });
  it('skips on an excluded day without touching anything', async () => {
    const f = fakeApi({ min: 2, max: 10, current: 3 }, 3);
    const job = jobFactory(cronHpa({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web-hpa' }, ['* * * 6 5 *']), { name: 'up', schedule: '@daily', targetSize: 6 }, 'i');
    expect(await runJob(job, opts(f.api))).toBe('skip scaling activity,because of excludeDate (* * * 6 5 *).');
    expect(f.log).toEqual([]);
  });
});

describe('runJob on a workload (ScalePlainRef)', () => {
  it('sets the replicas to the target, down as well as up', async () => {
    const f = fakeApi({ min: 2, max: 10, current: 9 }, 9);
    const msg = await runJob(jobFactory(onDeployment, { name: 'down', schedule: '@daily', targetSize: 4 }, 'i'), opts(f.api));
    expect(f.log).toEqual(['scale Deployment web 4']);
    expect(msg).toBe('current replicas:9, desired replicas:4.');
  });
});
