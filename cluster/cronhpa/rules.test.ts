import { describe, expect, it } from 'vitest';
import { isTodayOff, planHpaEdit, planPlainScale } from './rules.ts';

describe('planHpaEdit (cronjob.go ScaleHPA)', () => {
  it('raises min to the target and scales up when the workload runs fewer', () => {
    expect(planHpaEdit({ minReplicas: 2, maxReplicas: 10, currentReplicas: 3 }, 6)).toEqual({
      bounds: { minReplicas: 6, maxReplicas: 10 }, scaleTo: 6, message: 'current replicas:3, desired replicas:6.',
    });
  });
  it('raises max too when the target exceeds it', () => {
    expect(planHpaEdit({ minReplicas: 2, maxReplicas: 10, currentReplicas: 4 }, 15)).toMatchObject({ bounds: { minReplicas: 15, maxReplicas: 15 }, scaleTo: 15 });
  });
  it('never scales below the current count (issue #54): above the target nothing is scaled', () => {
    const e = planHpaEdit({ minReplicas: 2, maxReplicas: 10, currentReplicas: 8 }, 5, { hpa: 'web', namespace: 'ns' });
    expect(e.scaleTo).toBeUndefined();
    expect(e.bounds).toBeUndefined();
    expect(e.message).toBe('Skip scale replicas because HPA web in namespace ns current replicas:8 >= desired replicas:5.');
  });
  it('hands the floor back: a target below min lowers min and leaves the replicas to the HPA', () => {
    const e = planHpaEdit({ minReplicas: 8, maxReplicas: 10, currentReplicas: 9 }, 2);
    expect(e.bounds).toEqual({ minReplicas: 2, maxReplicas: 10 });
    expect(e.scaleTo).toBeUndefined();
  });
  it('writes nothing when the HPA already has the floor and runs at it', () => {
    expect(planHpaEdit({ minReplicas: 6, maxReplicas: 10, currentReplicas: 6 }, 6)).toEqual({ bounds: undefined, message: expect.stringContaining('Skip scale') });
  });
  it('a plain workload is set to the target, down as well as up', () => {
    expect(planPlainScale(9, 4)).toEqual({ scaleTo: 4, message: 'current replicas:9, desired replicas:4.' });
  });
});

describe('isTodayOff (cronjob.go IsTodayOff; upstream cronjob_test.go re-expressed)', () => {
  const now = Date.parse('2024-05-06T10:20:30Z'); // a Monday, day 6, month 5
  it('skips a day matched by day of month, month or weekday (the upstream valid data set)', () => {
    for (const d of ['* * * 6 * *', '* * * * 5 *', '* * * * * 1', '* * * 1-31 * *', '* * * * 1-12 *', '* * * * * 0-6']) {
      expect(isTodayOff([d], now, 'UTC'), d).toMatchObject({ off: true, message: `skip scaling activity,because of excludeDate (${d}).` });
    }
  });
  it('does not skip another day (the upstream invalid data set)', () => {
    for (const d of ['* * * 7 * *', '* * * * 6 *', '* * * * * 2']) expect(isTodayOff([d], now, 'UTC').off, d).toBe(false);
  });
  it('judges "today" in the controller time zone', () => {
    // 2024-05-06T20:00Z is already the 7th in Shanghai.
    const late = Date.parse('2024-05-06T20:00:00Z');
    expect(isTodayOff(['* * * 7 * *'], late, 'Asia/Shanghai').off).toBe(true);
    expect(isTodayOff(['* * * 7 * *'], late, 'UTC').off).toBe(false);
  });
  it('skips an unparsable entry and reports it, like upstream logs it', () => {
    const r = isTodayOff(['not a cron', '* * * 6 * *'], now, 'UTC');
    expect(r.off).toBe(true);
    expect(r.invalid).toHaveLength(1);
    expect(isTodayOff(undefined, now, 'UTC').off).toBe(false);
  });
});
