import { describe, expect, it } from 'vitest';
import type { Timeline, TimelineSample } from '../timeline/format.ts';
import { DEFAULT_PRICES, resolvePrices } from '../prices.ts';
import { check } from './checks.ts';
import { expectationSchema } from './expectations.ts';
import { MeasureRecorder, costOf, costSeries, measure, measureSample, measureSettings, runMeasures, tierCosts, tierFigures, type CostBasis } from './measures.ts';
import { timelineTiers, type Tiers } from './tiers.ts';

const MIN = 60_000;
function sample(t: number, o: { needed: number; desired: number; ecs?: number; eci?: number; eciPending?: number; eciFailed?: number }): TimelineSample {
  return {
    kind: 'sample',
    t,
    devices: o.needed * 1000,
    metric: null,
    needed: o.needed,
    hpa: { desired: o.desired, current: o.desired },
    ew: { replicas: o.desired, source: Math.min(2, o.desired), units: {} },
    pods: { ecs: { ready: o.ecs ?? Math.min(2, o.desired), pending: 0, failed: 0 }, eci: { ready: o.eci ?? 0, pending: o.eciPending ?? 0, failed: o.eciFailed ?? 0 } },
  };
}
function timeline(samples: TimelineSample[], windows?: { start: number; end: number }[]): Timeline {
  return {
    meta: { kind: 'meta', version: 1, source: 'cluster', scenario: 't', start: samples[0]!.t, end: samples.at(-1)!.t, compression: 1, constants: {}, devicesPerReplica: 1000, sourceMax: 2, notes: [], ...(windows ? { windows } : {}) },
    samples,
    events: [],
  };
}
const basis = (prices = DEFAULT_PRICES): CostBasis => ({ prices, pod: { vcpu: 1, memoryGiB: 2 }, ecsPools: [{ name: 'ecs', instanceType: 'ecs.g7.xlarge', count: 2, vcpu: 4, memoryGiB: 16 }] });

describe('measures', () => {
  it('count only observed time: the gap between two windows is neither pod-hours nor cost', () => {
    const w1 = [0, 1, 2].map((i) => sample(i * MIN, { needed: 3, desired: 3, eci: 1 }));
    const w2 = [0, 1].map((i) => sample(10 * 3600_000 + i * MIN, { needed: 3, desired: 3, eci: 3 }));
    const m = measure(timeline([...w1, ...w2], [{ start: 0, end: 2 * MIN }, { start: 10 * 3600_000, end: 10 * 3600_000 + MIN }]));
    expect(m.observedSeconds).toBe(180);
    // 1 pod for 2 minutes, then 3 pods for 1 minute.
    expect(m.eciPodSeconds).toBe(2 * 60 + 3 * 60);
    const c = costOf(m, basis(resolvePrices([{ ecs: [{ instanceType: 'ecs.g7.xlarge', pricePerNode: 1, per: 'hour' }], eci: { vcpuPerSecond: 0.001, gibPerSecond: 0.0005 } }])));
    expect(c.ecs).toBeCloseTo(2 * (180 / 3600), 12);
    expect(c.eci).toBeCloseTo(300 * (1 * 0.001 + 2 * 0.0005), 12);
    expect(c).toMatchObject({ total: c.ecs + c.eci, periodSeconds: 180, ecsEstimated: false });
  });

  it('bill pending ECI pods, not failed ones', () => {
    const m = measure(timeline([sample(0, { needed: 1, desired: 1, eci: 1, eciPending: 1, eciFailed: 5 }), sample(MIN, { needed: 1, desired: 1 })]));
    expect(m.eciPodSeconds).toBe(2 * 60);
  });

  it('the recorder fed sample by sample gives what measure(timeline) gives', () => {
    const samples = [1, 3, 3, 5, 5, 5, 2, 2].map((need, i) => sample(i * MIN, { needed: need, desired: Math.max(1, need - (i % 2)), eci: need > 2 ? need - 2 : 0 }));
    const rec = new MeasureRecorder(1000, { maxReplicas: 4, tolerance: 0 });
    samples.forEach((s) => rec.sample(measureSample(s)));
    expect(rec.result()).toEqual(measure(timeline(samples), { maxReplicas: 4, tolerance: 0 }));
  });

  it('the running cost ends at the run cost, the ECS tier growing with time whatever runs', () => {
    const tl = timeline([0, 1, 2, 3].map((i) => sample(i * MIN, { needed: 3, desired: 3, eci: i })));
    const series = costSeries(tl, basis());
    const c = costOf(measure(tl), basis());
    expect(series.at(-1)!.ecs).toBeCloseTo(c.ecs, 12);
    expect(series.at(-1)!.eci).toBeCloseTo(c.eci, 12);
    expect(series[0]).toEqual({ t: 0, ecs: 0, eci: 0 });
    expect(series[2]!.ecs).toBeCloseTo(2 * series[1]!.ecs, 12);
    expect(c.ecsEstimated).toBe(true);
  });

  it("take the reaction settings of the scenario's reactionTime expectation, its missing cap the HPA's maxReplicas", () => {
    expect(measureSettings([{ type: 'sloCoverage' }, { type: 'reactionTime', tolerance: 0.1 }], 12)).toEqual({ maxReplicas: 12, tolerance: 0.1 });
    expect(measureSettings([{ type: 'reactionTime', maxReplicas: 6, tolerance: 0 }], 12)).toEqual({ maxReplicas: 6, tolerance: 0 });
    expect(measureSettings([], undefined)).toEqual({ maxReplicas: Infinity, tolerance: 0 });
  });

  it("a reactionTime expectation without a cap is capped at the HPA's maxReplicas it is given", () => {
    // The need rises to 8 but the HPA may only go to 4: reached at 4 after one minute.
    const tl = timeline([sample(0, { needed: 1, desired: 1 }), sample(MIN, { needed: 8, desired: 1 }), sample(2 * MIN, { needed: 8, desired: 4 }), sample(3 * MIN, { needed: 8, desired: 4 })]);
    const e = expectationSchema.parse({ type: 'reactionTime', withinSeconds: 90 });
    expect(check(tl, e)).toMatchObject({ passed: false, value: 120 });
    expect(check(tl, e, undefined, undefined, { hpaMaxReplicas: 4 })).toMatchObject({ passed: true, value: 60 });
  });

  it('eciCost without pricePerPodHour takes the run prices, in their currency and period', () => {
    const tl = timeline([0, 1, 2].map((i) => sample(i * 30 * MIN, { needed: 3, desired: 3, eci: 1 })));
    const e = expectationSchema.parse({ type: 'eciCost', max: 1 });
    expect(check(tl, e).passed).toBe(false);
    const r = check(tl, e, undefined, undefined, { cost: basis() });
    expect(r.value).toBeCloseTo(costOf(measure(tl), basis()).eci, 12);
    expect(r.message).toMatch(/^ECI cost \d+\.\d\d CNY\/1 h; budget 1 CNY$/);
  });
});

describe('cost and replicas per tier', () => {
  /** Three tiers by cost, as a kind with a reserved ECS pool, a spot ECS pool and ECI might record them. */
  const three: Tiers = {
    words: { cheapest: 'reserved', overflow: 'subset' },
    tierOf: (owner) => ({ source: 0, 'web-spot': 1, 'web-eci': 2 })[owner ?? ''] ?? 2,
    nodeOf: (tier) => (tier === 2 ? 'eci' : 'ecs'),
    count: 3,
  };
  const at = (i: number, source: number, spot: number, eci: number, eciPods = eci): TimelineSample => ({
    ...sample(i * MIN, { needed: source + spot + eci, desired: source + spot + eci, ecs: source + spot, eci: eciPods }),
    ew: { replicas: source + spot + eci, source, units: { 'web-spot': spot, 'web-eci': eci } },
  });
  // Tier 1 empty for two minutes, ECI draining at the end (its replicas 0, one pod still billed).
  const tl = timeline([at(0, 2, 0, 0), at(1, 2, 0, 1), at(2, 2, 2, 3), at(3, 2, 2, 2), at(4, 2, 1, 0, 1), at(5, 1, 0, 0, 0)]);
  const priced = basis(resolvePrices([{ ecs: [{ instanceType: 'ecs.g7.xlarge', pricePerNode: 1, per: 'hour' }], eci: { vcpuPerSecond: 0.001, gibPerSecond: 0.0005 } }]));

  it('the same timeline with three tiers gives per-tier costs that sum to the total', () => {
    const per = tierCosts(tl, priced, three);
    const total = costOf(measure(tl), priced);
    expect(per.map((c) => c.name)).toEqual(['reserved', 'subset 1', 'subset 2']);
    expect(per.reduce((a, c) => a + c.amount, 0)).toBeCloseTo(total.total, 12);
    // ECI money only on the ECI tier (also the draining pod's minute), ECS money only on the ECS tiers.
    expect(per[2]!.amount).toBeCloseTo(total.eci, 12);
    expect(per[0]!.amount + per[1]!.amount).toBeCloseTo(total.ecs, 12);
    // ECS nodes cost 2/h: minutes 0–2 all reserved, 2–4 half each, 4–5 two thirds reserved.
    const perMinute = 2 / 60;
    expect(per[1]!.amount).toBeCloseTo(perMinute * (0.5 + 0.5 + 1 / 3), 12);
  });

  it('two tiers in the default words split ECS and ECI as the cost does; replicas per tier with their peaks and hours', () => {
    const per = tierCosts(tl, priced);
    const total = costOf(measure(tl), priced);
    expect(per.map((c) => [c.name, c.node])).toEqual([['source', 'ecs'], ['unit', 'eci']]);
    expect(per[0]!.amount).toBeCloseTo(total.ecs, 12);
    expect(per[1]!.amount).toBeCloseTo(total.eci, 12);
    const f = tierFigures(tl, three);
    expect(f.map((x) => x.peakReplicas)).toEqual([2, 2, 3]);
    expect(f.map((x) => x.podSeconds)).toEqual([2 * 5 * 60, (2 + 2 + 1) * 60, (1 + 3 + 2) * 60]);
    expect(runMeasures(tl, { settings: measureSettings([]), cost: priced, tiers: three }).cost!.perTier).toEqual(tierCosts(tl, priced, three));
    expect(timelineTiers().count).toBe(2);
  });
});
