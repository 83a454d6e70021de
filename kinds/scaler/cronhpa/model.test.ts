import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../model/objects.ts';
import type { ScalerSimulation } from '../../model/scaler.ts';
import { CronHpaSimulation, numericCronHpa } from './model.ts';

const DAY = Date.parse('2024-05-06T00:00:00Z'); // a Monday
const s = (hms: string) => (DAY + Date.parse(`1970-01-01T${hms}Z`)) / 1000;

const cron = (spec: object): KubeObject => ({ apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'CronHorizontalPodAutoscaler', metadata: { name: 'cron', namespace: 'default' }, spec });
const onHpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'nginx' };

/** An HPA stand-in that keeps the replicas within the bounds it is given, and records what it saw. */
function clampHpa(bounds: { minReplicas: number; maxReplicas: number }) {
  const seen: [number, number][] = [];
  const sim: ScalerSimulation = {
    rescale: false,
    quietNeedsReady: false,
    decide: (now, current) => {
      seen.push([now, current]);
      return Math.min(bounds.maxReplicas, Math.max(bounds.minReplicas, current));
    },
    quiet: () => true,
    settle: () => bounds.minReplicas,
  };
  return { sim, seen };
}

describe('numericCronHpa', () => {
  it('reads the jobs, run-once for @date, the target kind and the time zone', () => {
    const m = numericCronHpa(cron({ scaleTargetRef: onHpa, jobs: [{ name: 'up', schedule: '0 0 8 * * *', targetSize: 6 }, { name: 'once', schedule: '@date 2024-05-06 12:00:00', targetSize: 3 }] }), 'm', 'Asia/Shanghai');
    expect(m).toMatchObject({ name: 'cron', target: 'scaler', timeZone: 'Asia/Shanghai', excludeDates: [] });
    expect(m.jobs.map((j) => [j.name, j.targetSize, j.runOnce])).toEqual([['up', 6, false], ['once', 3, true]]);
    expect(numericCronHpa(cron({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }, jobs: [{ name: 'a', schedule: '@daily', targetSize: 1 }] }), 'm', 'UTC').target).toBe('workload');
  });
  it('names the file, the object and the field of what it refuses', () => {
    const bad = (spec: object, re: RegExp, tz = 'UTC') => expect(() => numericCronHpa(cron({ scaleTargetRef: onHpa, ...spec }), 'deploy/cron.yaml', tz)).toThrow(re);
    bad({ jobs: [{ name: 'a', schedule: '0 0 25 * * *', targetSize: 1 }] }, /deploy\/cron\.yaml: CronHorizontalPodAutoscaler default\/cron: spec\.jobs\[0\]\.schedule: .*25 is above the maximum 23/);
    bad({ jobs: [{ name: 'a', schedule: '@daily', targetSize: -1 }] }, /spec\.jobs\[0\]\.targetSize: must be a whole number/);
    bad({ jobs: [{ name: 'a', schedule: '@daily', targetSize: 1 }, { name: 'a', schedule: '@daily', targetSize: 2 }] }, /spec\.jobs\[1\]\.name: "a" is used twice/);
    bad({ jobs: [{ name: 'a', schedule: '@daily', targetSize: 1 }], excludeDates: ['nope'] }, /spec\.excludeDates\[0\]/);
    bad({ jobs: [] }, /spec\.jobs: at least one job/);
    bad({ jobs: [{ name: 'a', schedule: '@daily', targetSize: 1 }] }, /unknown time zone "Mars\/Olympus"/, 'Mars/Olympus');
  });
});

describe('CronHpaSimulation', () => {
  const model = (jobs: object[], extra: object = {}, tz = 'UTC') => numericCronHpa(cron({ scaleTargetRef: onHpa, jobs, ...extra }), 'm', tz);

  it('raises the HPA min at the firing and scales at once; the floor is handed back in the evening (never below current)', () => {
    const bounds = { minReplicas: 1, maxReplicas: 10 };
    const hpa = clampHpa(bounds);
    const sim = new CronHpaSimulation(model([{ name: 'up', schedule: '0 0 8 * * *', targetSize: 6 }, { name: 'down', schedule: '0 0 20 * * *', targetSize: 1 }]), hpa.sim, bounds);
    expect(sim.decide(s('07:59:45'), 2, 2, 0)).toBe(2);
    expect(sim.quiet(s('07:59:59'), 2, 0, 2)).toBe(true);
    expect(sim.quiet(s('08:00:00'), 2, 0, 2)).toBe(false);
    expect(sim.decide(s('08:00:00'), 2, 2, 0)).toBe(6);
    expect(sim.rescale).toBe(true);
    expect(bounds).toEqual({ minReplicas: 6, maxReplicas: 10 });
    expect(hpa.seen.at(-1)).toEqual([s('08:00:00'), 6]);
    // Running 8 at 20:00: min goes back to 1, the replicas are left to the HPA.
    expect(sim.decide(s('20:00:00'), 8, 8, 0)).toBe(8);
    expect(bounds.minReplicas).toBe(1);
    expect(sim.notes.map((n) => [n.object, n.reason, n.message])).toEqual([
      ['cron', 'Succeed', 'cron hpa job up executed successfully. current replicas:2, desired replicas:6.'],
      ['cron', 'Succeed', 'cron hpa job down executed successfully. Skip scale replicas because HPA nginx in namespace default current replicas:8 >= desired replicas:1.'],
    ]);
  });

  it('raises max with min when the target exceeds it', () => {
    const bounds = { minReplicas: 1, maxReplicas: 10 };
    const sim = new CronHpaSimulation(model([{ name: 'peak', schedule: '0 0 8 * * *', targetSize: 15 }]), clampHpa(bounds).sim, bounds);
    sim.decide(s('07:00:00'), 3, 3, 0);
    expect(sim.decide(s('08:00:15'), 3, 3, 0)).toBe(15);
    expect(bounds).toEqual({ minReplicas: 15, maxReplicas: 15 });
  });

  it('a sync long after several missed firings runs each job once, earliest first', () => {
    const bounds = { minReplicas: 1, maxReplicas: 10 };
    const sim = new CronHpaSimulation(model([{ name: 'down', schedule: '0 0 9 * * *', targetSize: 2 }, { name: 'up', schedule: '0 0 8 * * *', targetSize: 6 }]), clampHpa(bounds).sim, bounds);
    sim.decide(s('07:00:00'), 1, 1, 0);
    sim.decide(s('10:00:00'), 1, 1, 0);
    // up (08:00) raised the floor to 6 and scaled; down (09:00) found 6 at the floor and lowered it.
    expect(sim.notes.map((n) => n.message.split('.')[0])).toEqual(['cron hpa job up executed successfully', 'cron hpa job down executed successfully']);
    expect(bounds.minReplicas).toBe(2);
  });

  it('skips an excluded day, and reads schedules and the day in its time zone', () => {
    const bounds = { minReplicas: 1, maxReplicas: 10 };
    // 16:00 in Shanghai is 08:00 UTC; Monday 2024-05-06 is excluded there (day of week 1).
    const sim = new CronHpaSimulation(model([{ name: 'up', schedule: '0 0 16 * * *', targetSize: 6 }], { excludeDates: ['* * * * * 1'] }, 'Asia/Shanghai'), clampHpa(bounds).sim, bounds);
    sim.decide(s('07:00:00'), 2, 2, 0);
    expect(sim.decide(s('08:00:00'), 2, 2, 0)).toBe(2);
    expect(bounds.minReplicas).toBe(1);
    expect(sim.notes[0]).toMatchObject({ t: s('08:00:00') * 1000, message: 'cron hpa job up executed successfully. skip scaling activity,because of excludeDate (* * * * * 1).' });
    // The next day (Tuesday) it fires.
    expect(sim.decide(s('08:00:00') + 86_400, 2, 2, 0)).toBe(6);
  });

  it('a run-once job fires once; a job on the workload sets its replicas, down as well', () => {
    const bounds = { minReplicas: 1, maxReplicas: 10 };
    const m = numericCronHpa(cron({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }, jobs: [{ name: 'once', schedule: '0 0 8 * * *', targetSize: 1, runOnce: true }] }), 'm', 'UTC');
    const seen: number[] = [];
    const inner: ScalerSimulation = { rescale: false, quietNeedsReady: false, decide: (_n, c) => (seen.push(c), c), quiet: () => false, settle: () => 1 };
    const sim = new CronHpaSimulation(m, inner, bounds);
    sim.decide(s('07:00:00'), 5, 5, 0);
    expect(sim.decide(s('08:00:00'), 5, 5, 0)).toBe(1);
    expect(sim.decide(s('08:00:00') + 86_400, 5, 5, 0)).toBe(5);
    expect(seen).toEqual([5, 1, 5]);
  });
});
