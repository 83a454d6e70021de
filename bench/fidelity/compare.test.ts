import { describe, expect, it } from 'vitest';
import type { Timeline, TimelineSample } from '../../core/timeline/format.ts';
import { desiredChanges, fidelity, matchChanges, sampleLoss, stageLags } from './compare.ts';

const S = 15_000;
function tl(desired: number[], o: { start?: number; windows?: { start: number; end: number }[]; late?: number[]; times?: number[] } = {}): Timeline {
  const start = o.start ?? 0;
  const samples: TimelineSample[] = desired.map((d, i) => ({
    kind: 'sample', t: o.times?.[i] ?? start + i * S, devices: d * 1000, metric: d * 1000, needed: d,
    hpa: { desired: d, current: d }, ew: { replicas: d, source: Math.min(2, d), units: {} },
    pods: { ecs: { ready: 0, pending: 0, failed: 0 }, eci: { ready: 0, pending: 0, failed: 0 } },
    ...(o.late?.[i] ? { lateSeconds: o.late[i] } : {}),
  }));
  return {
    meta: { kind: 'meta', version: 1, source: 'cluster', scenario: 't', start, end: samples.at(-1)?.t ?? start, compression: 600, constants: {}, devicesPerReplica: 1000, sourceMax: 2, notes: [], ...(o.windows ? { windows: o.windows } : {}) },
    samples,
    events: [],
  };
}

describe('fidelity comparison', () => {
  it('pairs scaling changes by direction and target, reports offsets, missed and extra', () => {
    const ref = tl([1, 1, 3, 3, 5, 5, 2, 2]);
    const run = tl([1, 1, 1, 3, 3, 5, 5, 5]);
    const f = fidelity(run, ref);
    // 1→3 and 3→5 came one sample (15 s) late; the drop to 2 never happened.
    expect(f).toMatchObject({ matched: 2, missed: 1, extra: 0, offsetP50: 15, offsetP90: 15 });
    expect(f.within1Percent).toBeLessThan(100);
    const flappy = tl([1, 1, 3, 2, 3, 3, 3, 3]);
    expect(fidelity(flappy, tl([1, 1, 3, 3, 3, 3, 3, 3]))).toMatchObject({ matched: 1, missed: 0, extra: 2 });
  });

  it('does not pair changes further apart than the match window', () => {
    expect(matchChanges([{ t: 0, from: 1, to: 2 }], [{ t: 700_000, from: 1, to: 2 }], 600_000)).toEqual({ offsets: [], missed: 1, extra: 1 });
  });

  it('never sees a change across the skipped gap between windows', () => {
    const windows = [{ start: 0, end: 2 * S }, { start: 3_600_000, end: 3_600_000 + S }];
    const t = tl([1, 1, 1, 4, 4], { windows, times: [0, S, 2 * S, 3_600_000, 3_600_000 + S] });
    expect(desiredChanges(t)).toEqual([]);
  });

  it('counts the samples the schedule owed and how late they were', () => {
    const windows = [{ start: 0, end: 4 * S }];
    const t = tl([1, 1, 1], { windows, late: [0, 2, 30] });
    expect(sampleLoss(t, 15)).toEqual({ expected: 5, recorded: 3, late: 2, lateP90: 30, lateMax: 30 });
  });

  it('measures a stage lag as the time since the curve last had the published value', () => {
    const t = tl([1]);
    t.events = [{ kind: 'event', t: 120_000, type: 'metric.published', object: 'exporter', to: 60 }];
    // The curve is t in seconds: it read 60 at t = 60 s, 60 s before the value was published.
    expect(stageLags(t, (ms) => ms / 1000)).toEqual({ exporter: [60] });
  });
});
