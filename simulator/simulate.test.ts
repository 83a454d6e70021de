import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadScenario, parseScenario } from '../scenarios/index.ts';
import { checkAll, scaleDownOrderViolation } from '../core/checks/checks.ts';
import { applyConfig, frontier, parseVary, product, simulate, systemFromScenario, defaultSystem } from './index.ts';
import type { SimSummary } from './simulate.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const step = (extra = '') =>
  parseScenario(`name: step\ncurve: {steps: [["07:00", 1500], ["07:05", 9500], ["07:40", 1500]]}\nwindows: [{start: "07:00", end: "08:30"}]\nhpa: {minReplicas: 1, maxReplicas: 12, target: {type: AverageValue, value: 1000}}\nelasticWorkload: {sourceMax: 2}\n${extra}`, 'step.yaml');

describe('simulator', () => {
  it('reads its defaults from manifests/base', () => {
    const s = defaultSystem();
    expect(s.hpa).toMatchObject({ minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'AverageValue', target: 1000 }] });
    expect(s.placement.tiers[0]!.max).toBe(2);
    expect(s.pod).toEqual({ vcpu: 0.5, memoryGiB: 0.5 });
  });

  it('is deterministic for a seed and different for another', async () => {
    const sc = await step('nodes: {eci: {startLatency: {startSeconds: 10, imagePull: {min: 2, max: 30}, jitterSeconds: 3}}}');
    const a = simulate(sc, systemFromScenario(sc)).timeline!;
    const b = simulate(sc, systemFromScenario(sc)).timeline!;
    expect(b).toEqual(a);
    const c = simulate(sc, { ...systemFromScenario(sc), seed: 99 }).timeline!;
    expect(c.events.filter((e) => e.type === 'pod.ready').map((e) => e.t)).not.toEqual(a.events.filter((e) => e.type === 'pod.ready').map((e) => e.t));
  });

  it('fills the source to its max on ECS, overflows to ECI, and removes unit pods first', async () => {
    const sc = await step();
    const { timeline, summary } = simulate(sc, systemFromScenario(sc));
    const peak = timeline!.samples.reduce((a, s) => (s.ew.replicas > a.ew.replicas ? s : a));
    expect(peak.ew.source).toBe(2);
    expect(peak.ew.units['nginx-unit-virtual-kubelet']).toBe(peak.ew.replicas - 2);
    // 9,500 devices at 1,000 per replica: 2 → 4 → 8 (scale-up limit 2 × current) → ceil(9.5) = 10.
    expect(summary.peakReplicas).toBe(10);
    expect(scaleDownOrderViolation(timeline!)).toBeUndefined();
    // After the drop and the 5-minute stabilization the HPA comes back to 2.
    expect(timeline!.samples.at(-1)!.ew.replicas).toBe(2);
    const results = checkAll(timeline!, [{ type: 'sourceNeverAboveMax' }, { type: 'overflowOnlyOnVirtualNode' }, { type: 'scaleDownOrder' }]);
    expect(results.every((r) => r.passed)).toBe(true);
  });

  it('ECI pods are Ready only after the start latency; failures leave pods pending', async () => {
    const sc = await step('nodes: {eci: {startLatency: {startSeconds: 40, imagePull: {min: 0, max: 0}, jitterSeconds: 0}, failures: {probability: 1, maxFailures: 3}}}');
    const { timeline } = simulate(sc, systemFromScenario(sc));
    const ev = timeline!.events;
    for (const r of ev.filter((e) => e.type === 'pod.ready' && e.nodeType === 'eci')) {
      const c = ev.find((e) => e.type === 'pod.created' && e.object === r.object)!;
      expect(r.t - c.t).toBe(40_000);
    }
    expect(Math.max(...timeline!.samples.map((s) => s.pods.eci.pending))).toBeGreaterThanOrEqual(3);
  });

  it('finite ECS capacity leaves source pods pending', async () => {
    const sc = await step('nodes: {ecs: [{name: ecs, count: 1, cpu: "1"}]}');
    const sys = systemFromScenario(sc);
    sys.placement.tiers[0]!.max = 20;
    const { timeline } = simulate(sc, sys);
    const peak = timeline!.samples.reduce((a, s) => (s.pods.ecs.pending > a.pods.ecs.pending ? s : a));
    expect(peak.pods.ecs.ready).toBe(2); // 1 vCPU / 500m
    expect(peak.pods.ecs.pending).toBeGreaterThan(0);
  });

  it('simulates whole days and the shipped smoke scenario passes its expectations', async () => {
    const sc = await loadScenario(`${here}../scenarios/smoke.yaml`);
    const { timeline, summary } = simulate(sc, systemFromScenario(sc), { days: 2 });
    expect(summary.seconds).toBeCloseTo(2 * 86_400, -2);
    expect(timeline!.samples.length).toBeGreaterThan(11_000);
    const windows = simulate(sc, systemFromScenario(sc)).timeline!;
    expect(checkAll(windows, sc.expectations).filter((r) => !r.passed)).toEqual([]);
  });
});

describe('event and precomputed stepping', () => {
  // Both only skip or share work whose result cannot differ; the fixed loop is the reference.
  it.each([
    ['the step curve', ''],
    ['ECI failures that stay pending and slow ECI starts', 'nodes: {eci: {startLatency: {startSeconds: 40, imagePull: {min: 0, max: 20}, jitterSeconds: 5}, failures: {probability: 0.4, maxFailures: 6}}}'],
    ['ECI pods that fail and are replaced', 'nodes: {eci: {failures: {probability: 0.5, mode: failed}}}'],
    ['finite ECS capacity, a behavior and 5 s samples', 'nodes: {ecs: [{name: ecs, count: 1, cpu: "1"}]}\nsampleEverySeconds: 5'],
    ['a slow exporter and scrape', 'pipeline: {exporterIntervalSeconds: 60, scrapeIntervalSeconds: 30}'],
  ])('gives the same timeline and summary as fixed stepping: %s', async (_name, extra) => {
    const sc = await step(extra);
    const sys = systemFromScenario(sc);
    if (extra.includes('sampleEverySeconds')) sys.hpa.behavior = { scaleUp: { stabilizationWindowSeconds: 30, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }, scaleDown: { stabilizationWindowSeconds: 60 } };
    const fixed = simulate(sc, sys, { stepping: 'fixed' });
    const event = simulate(sc, sys, { stepping: 'event' });
    expect(fixed.timeline!.samples.length).toBeGreaterThan(100);
    expect(event).toEqual(fixed);
    expect(simulate(sc, sys, { stepping: 'precomputed' })).toEqual(fixed);
  });

  it('gives the same whole-day summary for the shipped smoke scenario', async () => {
    const sc = await loadScenario(`${here}../scenarios/smoke.yaml`);
    const sys = systemFromScenario(sc);
    const fixed = simulate(sc, sys, { days: 1, timeline: false, stepping: 'fixed' }).summary;
    expect(simulate(sc, sys, { days: 1, timeline: false }).summary).toEqual(fixed);
    expect(simulate(sc, sys, { days: 1, timeline: false, stepping: 'event' }).summary).toEqual(fixed);
    expect(fixed.peakReplicas).toBeGreaterThan(1);
  });
});

describe('what-if sweeps', () => {
  it('parses --vary and names bad input', () => {
    expect(parseVary('sourceMax=0..4:2')).toEqual({ key: 'sourceMax', values: [0, 2, 4] });
    expect(parseVary('tolerance=0.05,0.1')).toEqual({ key: 'tolerance', values: [0.05, 0.1] });
    expect(() => parseVary('sourcemax=1..2')).toThrow(/unknown key "sourcemax"/);
    expect(() => parseVary('sourceMax=4..1')).toThrow(/below its start/);
    expect(() => parseVary('sourceMax=1.5,2')).toThrow(/non-negative integers/);
    expect(() => parseVary('target')).toThrow(/expected key=/);
    expect(product([parseVary('sourceMax=0..1'), parseVary('target=1000,2000')])).toHaveLength(4);
  });
  it('applies a configuration and rejects an impossible one', () => {
    const base = defaultSystem();
    const before = structuredClone(base);
    const s = applyConfig(base, { sourceMax: 5, target: 800, ecsNodes: 7, minReplicas: 2, maxReplicas: 9, stabilization: 60, syncPeriod: 30, tolerance: 0.2 });
    expect([s.placement.tiers[0]!.max, s.hpa.metrics[0]!.target, s.nodes.ecs[0]!.count]).toEqual([5, 800, 7]);
    expect([s.hpa.minReplicas, s.hpa.maxReplicas, s.flags.downscaleStabilizationSeconds, s.flags.syncPeriodSeconds, s.flags.tolerance]).toEqual([2, 9, 60, 30, 0.2]);
    // The base system is left as it was: a sweep applies every configuration to the same one.
    expect(base).toEqual(before);
    expect(() => applyConfig(defaultSystem(), { minReplicas: 20 })).toThrow(/minReplicas 20 is above maxReplicas 10/);
  });
  it('keeps only Pareto-optimal rows on the frontier', () => {
    const row = (cost: number, cov: number) => ({ config: {}, summary: { costTotal: cost, sloCoveragePercent: cov } as SimSummary, expectations: [] });
    const f = frontier([row(10, 90), row(12, 85), row(12, 95), row(20, 99), row(25, 99)]);
    expect(f.map((r) => [r.summary.costTotal, r.summary.sloCoveragePercent])).toEqual([[10, 90], [12, 95], [20, 99]]);
  });
});

describe("a reader that asks Prometheus at whole seconds (KEDA's prometheus trigger)", () => {
  const changeGaps = (samples: { t: number; metric?: number | null }[]) => {
    const at = samples.filter((s, i) => i > 0 && s.metric !== samples[i - 1]!.metric).map((s) => s.t);
    return at.slice(1).map((t, i) => (t - at[i]!) / 1000);
  };

  it('serves what Prometheus held at the last whole step: older on the ramp, changing at most once a step', async () => {
    const sc = await loadScenario(`${here}../scenarios/smoke.yaml`);
    // An exporter and a scrape every second: what the HPA sees moves with the reader's resolution alone.
    const base = systemFromScenario(sc);
    const sys = { ...base, pipeline: { ...base.pipeline, exporterIntervalSeconds: 1, scrapeIntervalSeconds: 1 } };
    const live = simulate(sc, sys).timeline!;
    const stepped = simulate(sc, { ...sys, queryResolutionSeconds: 60 }).timeline!;
    // The morning ramp reaches the HPA sample by sample without the resolution...
    expect(Math.min(...changeGaps(live.samples))).toBeLessThan(45);
    // ...and at most once per 60 s step with it (samples every 15 s: changes ≥ 45 s apart).
    expect(Math.min(...changeGaps(stepped.samples))).toBeGreaterThanOrEqual(45);
    // On the ramp, the value served at the same time is never newer, and older at least once.
    const ramp = live.samples.map((s, i) => [s, stepped.samples[i]!] as const).filter(([s]) => s.t < live.meta.windows![0]!.end);
    expect(ramp.filter(([a, b]) => (b.metric ?? 0) > (a.metric ?? 0) + 1).length).toBeLessThan(ramp.length / 20);
    expect(ramp.filter(([a, b]) => (b.metric ?? 0) < (a.metric ?? 0)).length).toBeGreaterThan(ramp.length / 4);
    expect(stepped.meta.notes?.join('\n')).toMatch(/whole 60 s of its clock/);
  });
});
