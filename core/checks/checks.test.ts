import { describe, expect, it } from 'vitest';
import type { Timeline, TimelineEvent, TimelineSample } from '../timeline/format.ts';
import { agreement, check, checkAll, eciPodHours, maxDirectionChangesPerHour, reactionTimes, scaleDownOrderViolation, sloCoverage } from './checks.ts';
import { expectationSchema } from './expectations.ts';

const MIN = 60_000;
function sample(i: number, o: { needed: number; desired: number; source?: number; units?: number; ecsReady?: number; eciReady?: number; eciPending?: number }): TimelineSample {
  return {
    kind: 'sample',
    t: i * MIN,
    devices: o.needed * 1000,
    metric: o.needed * 1000,
    needed: o.needed,
    hpa: { desired: o.desired, current: o.desired },
    ew: { replicas: (o.source ?? 0) + (o.units ?? 0), source: o.source ?? Math.min(2, o.desired), units: { 'nginx-unit-virtual-kubelet': o.units ?? Math.max(0, o.desired - 2) } },
    pods: { ecs: { ready: o.ecsReady ?? Math.min(2, o.desired), pending: 0, failed: 0 }, eci: { ready: o.eciReady ?? Math.max(0, o.desired - 2), pending: o.eciPending ?? 0, failed: 0 } },
  };
}
const ev = (t: number, e: Partial<TimelineEvent>): TimelineEvent => ({ kind: 'event', t, type: 'note', ...e });
function tl(samples: TimelineSample[], events: TimelineEvent[] = []): Timeline {
  return {
    meta: { kind: 'meta', version: 1, source: 'simulator', scenario: 't', start: samples[0]?.t ?? 0, end: samples.at(-1)?.t ?? 0, compression: 1, constants: {}, devicesPerReplica: 1000, sourceMax: 2, notes: [] },
    samples,
    events,
  };
}

describe('checks', () => {
  it('SLO coverage is the share of samples with ready capacity ≥ need', () => {
    const t = tl([sample(0, { needed: 2, desired: 2 }), sample(1, { needed: 4, desired: 2 }), sample(2, { needed: 4, desired: 4 }), sample(3, { needed: 1, desired: 4 })]);
    expect(sloCoverage(t)).toBe(75);
    expect(check(t, expectationSchema.parse({ type: 'sloCoverage', minPercent: 80 })).passed).toBe(false);
    expect(check(t, expectationSchema.parse({ type: 'sloCoverage', minPercent: 75 })).passed).toBe(true);
  });

  it('integrates ECI pod-hours (pending pods are billed too)', () => {
    const t = tl(Array.from({ length: 61 }, (_, i) => sample(i, { needed: 4, desired: 4, eciReady: 1, eciPending: 1 })));
    expect(eciPodHours(t)).toBeCloseTo(2);
    const r = check(t, expectationSchema.parse({ type: 'eciCost', max: 1, pricePerPodHour: 0.6 }));
    expect(r.passed).toBe(false);
    expect(r.value).toBeCloseTo(1.2);
  });

  it('finds the slowest reaction to a rise, and a rise never reached', () => {
    const s = [0, 1, 2, 3, 4, 5].map((i) => sample(i, { needed: i < 1 ? 1 : 4, desired: i < 4 ? 1 : 4 }));
    expect(reactionTimes(tl(s))).toEqual([{ t: MIN, seconds: 180, reached: true }]);
    expect(check(tl(s), expectationSchema.parse({ type: 'reactionTime', withinSeconds: 120 })).passed).toBe(false);
    expect(check(tl(s), expectationSchema.parse({ type: 'reactionTime', withinSeconds: 180 })).passed).toBe(true);
    const never = [0, 1, 2].map((i) => sample(i, { needed: i === 0 ? 1 : 6, desired: 4 }));
    expect(reactionTimes(tl(never))[0]?.reached).toBe(false);
    // Capped at maxReplicas, 4 is enough.
    expect(reactionTimes(tl(never), 4)).toEqual([]);
  });

  it('never measures a reaction across the skipped time between two windows', () => {
    // Window 1 ends with an unmet rise; window 2 starts 16 h later with the desired count already up.
    const w1 = [0, 1, 2].map((i) => sample(i, { needed: i === 0 ? 1 : 4, desired: 1 }));
    const w2 = [0, 1].map((i) => ({ ...sample(960 + i, { needed: 4, desired: 4 }) }));
    const declared = { ...tl([...w1, ...w2]), meta: { ...tl([...w1, ...w2]).meta, windows: [{ start: 0, end: 2 * MIN }, { start: 960 * MIN, end: 961 * MIN }] } };
    expect(reactionTimes(declared)).toEqual([{ t: MIN, seconds: 60, reached: false }]);
    // Without declared windows the gap is found from the sampling interval.
    expect(reactionTimes(tl([...w1, ...w2]))).toEqual([{ t: MIN, seconds: 60, reached: false }]);
    // Declared windows that touch are one observed stretch: the reaction is measured through.
    const joined = [0, 1, 2, 3, 4].map((i) => sample(i, { needed: i === 0 ? 1 : 4, desired: i < 4 ? 1 : 4 }));
    const touching = { ...tl(joined), meta: { ...tl(joined).meta, windows: [{ start: 0, end: 2 * MIN }, { start: 2 * MIN, end: 4 * MIN }] } };
    expect(reactionTimes(touching)).toEqual([{ t: MIN, seconds: 180, reached: true }]);
  });

  it('with the HPA tolerance, a rise inside the tolerance band is met by the current level', () => {
    // 5,040 devices need 6 replicas exactly, but 5 × 1,000 × 1.1 covers them: the HPA would not move.
    const s = [0, 1, 2, 3].map((i) => ({ ...sample(i, { needed: i < 1 ? 5 : 6, desired: 5 }), devices: i < 1 ? 5000 : 5040 }));
    expect(reactionTimes(tl(s))[0]).toMatchObject({ reached: false });
    expect(reactionTimes(tl(s), Infinity, 0.1)).toEqual([]);
    // Beyond the band (6,000 > 5,500) the rise counts again.
    const beyond = [0, 1, 2, 3].map((i) => ({ ...sample(i, { needed: i < 1 ? 5 : 6, desired: i < 3 ? 5 : 6 }), devices: i < 1 ? 5000 : 6000 }));
    expect(reactionTimes(tl(beyond), Infinity, 0.1)).toEqual([{ t: MIN, seconds: 120, reached: true }]);
    expect(check(tl(beyond), expectationSchema.parse({ type: 'reactionTime', withinSeconds: 60, tolerance: 0.1 })).name).toBe('reactionTime(≤ 60s, tolerance 0.1)');
  });

  it('counts direction changes in the worst sliding hour', () => {
    const flips = [0, 5, 10, 15, 80].map((m, i) => ev(m * MIN, { type: 'hpa.rescale', from: i % 2 ? 4 : 2, to: i % 2 ? 2 : 4 }));
    const r = maxDirectionChangesPerHour(tl([], flips));
    expect(r.max).toBe(3);
    expect(check(tl([], flips), expectationSchema.parse({ type: 'maxDirectionChangesPerHour', max: 2 })).passed).toBe(false);
  });

  it('flags a source pod deleted while unit pods exist, and passes the right order', () => {
    const good = [
      ev(1, { type: 'pod.created', object: 'u1', owner: 'nginx-unit-virtual-kubelet' }),
      ev(2, { type: 'pod.deleted', object: 'u1', owner: 'nginx-unit-virtual-kubelet' }),
      ev(3, { type: 'pod.deleted', object: 's1', owner: 'source' }),
    ];
    expect(scaleDownOrderViolation(tl([], good))).toBeUndefined();
    const bad = [good[0]!, ev(2, { type: 'pod.deleted', object: 's1', owner: 'source' })];
    expect(scaleDownOrderViolation(tl([], bad))?.object).toBe('s1');
    expect(check(tl([], bad), { type: 'scaleDownOrder' }).message).toMatch(/source pod s1 was deleted/);
  });

  it('checks placement, source max and replica bounds', () => {
    const misplaced = [ev(1, { type: 'pod.scheduled', object: 'u', owner: 'nginx-unit-virtual-kubelet', node: 'ecs-000', nodeType: 'ecs' })];
    expect(check(tl([], misplaced), { type: 'overflowOnlyOnVirtualNode' }).passed).toBe(false);
    const fine = [ev(1, { type: 'pod.scheduled', object: 's', owner: 'source', node: 'ecs-000', nodeType: 'ecs' })];
    expect(check(tl([], fine), { type: 'overflowOnlyOnVirtualNode' }).passed).toBe(true);
    const over = tl([sample(0, { needed: 3, desired: 3, source: 3, units: 0 })]);
    expect(check(over, { type: 'sourceNeverAboveMax' }).passed).toBe(false);
    const r = check(over, expectationSchema.parse({ type: 'replicaBounds', min: 1, max: 2 }));
    expect(r).toMatchObject({ passed: false, at: 0 });
    // The time of a violation is read on the scenario zone's clock, the zone named.
    expect(r.message).toBe('ew.replicas was 3 at 00:00:00 UTC, outside [1, 2]');
    const shanghai = { ...over, meta: { ...over.meta, timeZone: 'Asia/Shanghai' } };
    expect(check(shanghai, expectationSchema.parse({ type: 'replicaBounds', min: 1, max: 2 })).message).toBe('ew.replicas was 3 at 08:00:00 Asia/Shanghai, outside [1, 2]');
  });

  it('compares with a baseline by offset, within a tolerance', () => {
    const base = tl([0, 1, 2, 3].map((i) => sample(i, { needed: 2, desired: 2 + i })));
    const same = tl([0, 1, 2, 3].map((i) => sample(i + 100, { needed: 2, desired: 2 + i })));
    expect(agreement(same, base, 'hpa.desired', 0).percent).toBe(100);
    const drift = tl([0, 1, 2, 3].map((i) => sample(i, { needed: 2, desired: 2 + 2 * i })));
    expect(agreement(drift, base, 'hpa.desired', 1)).toMatchObject({ percent: 50, worstDiff: 3 });
    const results = checkAll(drift, [expectationSchema.parse({ type: 'baseline', of: 'hpa.desired' })], base);
    expect(results[0]?.passed).toBe(false);
    expect(check(drift, expectationSchema.parse({ type: 'baseline' })).message).toMatch(/no baseline/);
  });

  it('rejects unknown expectation kinds and fields', () => {
    expect(() => expectationSchema.parse({ type: 'vibes' })).toThrow();
    expect(() => expectationSchema.parse({ type: 'sloCoverage', minPercent: 90, extra: 1 })).toThrow(/extra/);
  });
});

describe('window gaps', () => {
  it('ECI pod-hours do not count the skipped hours between replay windows', async () => {
    const { eciPodHours: hours } = await import('./checks.ts');
    const first = Array.from({ length: 61 }, (_, i) => sample(i, { needed: 4, desired: 4, eciReady: 2 }));
    // The second window starts 10 hours later.
    const second = Array.from({ length: 61 }, (_, i) => ({ ...sample(i, { needed: 4, desired: 4, eciReady: 2 }), t: (600 + i) * MIN }));
    expect(hours(tl([...first, ...second]))).toBeCloseTo(4);
  });
});
