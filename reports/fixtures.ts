import type { Timeline, TimelineEvent, TimelineSample } from '../harness/timeline/format.ts';

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
