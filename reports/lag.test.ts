import { describe, expect, it } from 'vitest';
import type { Timeline, TimelineSample } from '../core/timeline/format.ts';
import { describeLag, lagSeconds, stageAtSamples } from './lag.ts';

const T0 = 1_767_600_000_000;
function sample(t: number, devices: number, metric: number | null): TimelineSample {
  return { kind: 'sample', t, devices, metric, needed: 0, hpa: { desired: 1, current: 1 }, ew: { replicas: 1, source: 1, units: {} }, pods: { ecs: { ready: 1, pending: 0, failed: 0 }, eci: { ready: 0, pending: 0, failed: 0 } } };
}
/** A ramp with a step, sampled every 15 s; the metric is the curve `lag` seconds late. */
function timeline(lag: number, held?: number): Timeline {
  const curve = (s: number) => (s < 600 ? 1000 + 2 * s : 5000);
  const samples = Array.from({ length: 120 }, (_, i) => sample(T0 + i * 15_000, curve(i * 15), i * 15 >= lag ? curve(i * 15 - lag) : null));
  const events = held === undefined ? [] : samples.map((x, i) => ({ kind: 'event' as const, t: x.t, type: 'metric.published' as const, object: 'sls-events', to: i * 15 >= held ? curve(i * 15 - held) : 1000 }));
  return { meta: { kind: 'meta', version: 1, source: 'cluster', scenario: 't', start: T0, end: T0 + 1800_000, compression: 60, constants: {}, devicesPerReplica: 1000, sourceMax: 2, notes: [] }, samples, events };
}

describe('lag of a published value behind the curve', () => {
  it.each([0, 15, 45, 90])('finds a %i s lag', (lag) => {
    const tl = timeline(lag);
    expect(lagSeconds(tl, tl.samples.map((x) => x.metric ?? undefined))).toBe(lag);
  });
  it('reads a stage from its metric.published events at each sample', () => {
    const tl = timeline(30, 15);
    expect(stageAtSamples(tl, 'sls-events').slice(0, 3)).toEqual([1000, 1000, 1030]);
    expect(lagSeconds(tl, stageAtSamples(tl, 'sls-events'))).toBe(15);
  });
  it('states what events mode adds, and says curve mode adds nothing', () => {
    expect(describeLag(timeline(30, 15))).toMatch(/metric the HPA saw behind the curve: 30 s virtual; events mode adds 15 s before the exporter/);
    expect(describeLag(timeline(30))).toMatch(/: 30 s virtual \(curve mode/);
  });
  it('no metric, no line', () => {
    const tl = timeline(0);
    for (const s of tl.samples) s.metric = null;
    expect(describeLag(tl)).toBeUndefined();
  });
});
