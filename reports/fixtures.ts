import type { Timeline, TimelineEvent, TimelineSample } from '../core/timeline/format.ts';

/** A small synthetic timeline for report tests: a morning ramp to 5 replicas and back. */
export function sampleTimeline(): Timeline {
  const samples: TimelineSample[] = [];
  const events: TimelineEvent[] = [];
  const t0 = Date.UTC(2026, 0, 1, 7);
  let last = 1;
  for (let i = 0; i <= 120; i++) {
    const devices = Math.round(1000 + 4000 * Math.sin((Math.PI * i) / 120));
    const desired = Math.max(1, Math.ceil((i > 3 ? 1000 + 4000 * Math.sin((Math.PI * (i - 3)) / 120) : 1000) / 1000));
    const t = t0 + i * 60_000;
    if (desired !== last) events.push({ kind: 'event', t, type: 'hpa.rescale', from: last, to: desired, reason: 'SuccessfulRescale', message: `New size: ${desired}; reason: Service metric active_devices ${desired > last ? 'above' : 'below'} target` });
    last = desired;
    samples.push({
      kind: 'sample', t, devices, metric: i > 2 ? devices - 50 : null, needed: Math.ceil(devices / 1000),
      hpa: { desired, current: desired },
      ew: { replicas: desired, source: Math.min(2, desired), units: { 'nginx-unit-virtual-kubelet': Math.max(0, desired - 2) } },
      pods: { ecs: { ready: Math.min(2, desired), pending: 0, failed: 0 }, eci: { ready: Math.max(0, desired - 3), pending: desired > 2 ? 1 : 0, failed: 0 } },
    });
  }
  return {
    meta: { kind: 'meta', version: 1, source: 'cluster', scenario: 'fixture <ramp>', start: t0, end: t0 + 120 * 60_000, compression: 20, constants: { hpaSyncPeriod: 15, downscaleStabilization: 300 }, devicesPerReplica: 1000, sourceMax: 2, notes: [] },
    samples,
    events,
  };
}

/**
 * The same ramp replayed as two windows, 07:00–08:00 and 20:00–21:00: the second hour of samples
 * and events moved 12 h later, as a replay that skips the hours between its windows records them.
 */
export function twoWindowTimeline(declare = false): Timeline {
  const tl = sampleTimeline();
  const t0 = tl.meta.start;
  const cut = t0 + 60 * 60_000;
  const skip = 12 * 3_600_000;
  const move = <T extends { t: number }>(x: T): T => (x.t > cut ? { ...x, t: x.t + skip } : x);
  return {
    meta: { ...tl.meta, scenario: 'fixture two windows', end: tl.meta.end + skip, ...(declare ? { windows: [{ start: t0, end: cut }, { start: cut + skip, end: tl.meta.end + skip }] } : {}) },
    samples: tl.samples.map(move),
    events: tl.events.map(move),
  };
}

/** A simulator timeline of the same run whose replica counts are one higher in every other sample. */
export function offByOneSim(tl: Timeline): Timeline {
  return {
    meta: { ...tl.meta, source: 'simulator', compression: 1 },
    samples: tl.samples.map((s, i) => (i % 2 === 0 ? s : { ...s, hpa: { ...s.hpa, desired: s.hpa.desired + 1 }, ew: { ...s.ew, replicas: s.ew.replicas + 1 } })),
    events: [],
  };
}
