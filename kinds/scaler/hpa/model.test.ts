import { describe, expect, it } from 'vitest';
import { UserError } from '../../../core/errors.ts';
import { KUBERNETES_VERSION } from '../../../cluster/toolchain/versions.ts';
import { goInt32, hpaEdges, newHpaState, objectMetricReplicas, reconcile, scaleDownLimit, scaleUpLimit, storeScaleEvent, withinTolerance, type HpaInput, type HpaState } from './model.ts';

const flags = { tolerance: 0.1, downscaleStabilizationSeconds: 300 };
const base = (o: Partial<HpaInput> & { values: (number | undefined)[] }): HpaInput => ({
  now: 1000,
  spec: { minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'Value', target: 15 }] },
  flags,
  specReplicas: 3,
  currentReplicas: 3,
  readyPods: 3,
  ...o,
});
/** upstream `recommendations: []timestampedRecommendation{}`: an empty, non-nil history. */
const emptyHistory = (): HpaState => ({ ...newHpaState(), recommendations: [] });

// Cases re-expressed from kubernetes pkg/controller/podautoscaler/horizontal_test.go (named after
// the upstream test), as inputs and the desired replicas upstream expects.
describe('HPA decisions (upstream horizontal_test.go situations)', () => {
  it.each([
    ['TestScaleUpCMObject: Value 15, level 20, 3 ready → 4', base({ values: [20] }), emptyHistory(), 4],
    ['TestScaleUpPerPodCMObject: AverageValue 10, level 40, 3 replicas → 4', base({ spec: { minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'AverageValue', target: 10 }] }, values: [40] }), emptyHistory(), 4],
    ['TestScaleDownCMObject: Value 20, level 12, 5 ready → 3', base({ spec: { minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'Value', target: 20 }] }, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [12] }), emptyHistory(), 3],
    ['TestScaleDownToZeroCMObject: min 0, level 0 → 0', base({ spec: { minReplicas: 0, maxReplicas: 6, metrics: [{ type: 'Value', target: 20 }] }, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [0] }), emptyHistory(), 0],
    ['TestScaleDownPerPodCMObject: AverageValue 20, level 60, 5 replicas → 3', base({ spec: { minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'AverageValue', target: 20 }] }, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [60] }), emptyHistory(), 3],
    ['TestScaleUpFromZeroIgnoresToleranceCMObject (1.35: min 0 computes from zero): Value 1 level 1 → 1', base({ spec: { minReplicas: 0, maxReplicas: 6, metrics: [{ type: 'Value', target: 1 }] }, flags: { ...flags, kubernetesVersion: '1.35' }, specReplicas: 0, currentReplicas: 0, readyPods: 0, values: [1] }), emptyHistory(), 1],
    ['TestScaleDownStabilizeInitialSize: no history → the current count holds', base({ spec: { minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'Value', target: 20 }] }, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [12] }), newHpaState(), 5],
    ['TestScaleUpBothMetricsEmpty: every metric invalid → no change', base({ values: [undefined] }), emptyHistory(), 3],
  ])('%s', (_name, input, state, want) => {
    expect(reconcile(input, state).desired).toBe(want);
  });

  it('TestScaleDownOneMetricInvalid-like: one invalid metric never lets the others scale down', () => {
    const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Value' as const, target: 20 }, { type: 'Value' as const, target: 20 }] };
    expect(reconcile(base({ spec, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [4, undefined] }), emptyHistory()).desired).toBe(5);
    expect(reconcile(base({ spec, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [40, undefined] }), emptyHistory()).desired).toBe(10);
  });

  it('several metrics: the largest proposal wins', () => {
    const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Value' as const, target: 10 }, { type: 'AverageValue' as const, target: 1000 }] };
    expect(reconcile(base({ spec, values: [10, 7000] }), emptyHistory()).desired).toBe(6); // 7000/1000 > the Value proposal (within tolerance → 3); limit max(6, 4)
  });

  it('TestTolerance: inside the 10% band nothing changes; per-direction tolerances from behavior', () => {
    expect(reconcile(base({ values: [16.4] }), emptyHistory()).desired).toBe(3); // ratio 1.093
    expect(reconcile(base({ values: [16.6] }), emptyHistory()).desired).toBe(4); // ratio 1.107
    expect(withinTolerance(1.1, 0.1, 0.1)).toBe(true);
    expect(withinTolerance(0.9, 0.1, 0.1)).toBe(true);
    const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Value' as const, target: 15 }], behavior: { scaleUp: { tolerance: 0 }, scaleDown: { tolerance: 0.5, stabilizationWindowSeconds: 0 } } };
    expect(reconcile(base({ spec, values: [15.1] }), emptyHistory()).desired).toBe(4);
    expect(reconcile(base({ spec, values: [8] }), emptyHistory()).desired).toBe(3); // ratio 0.53 is inside a 0.5 down-tolerance
  });

  it('counts only ready pods for a Value target', () => {
    expect(objectMetricReplicas({ type: 'Value', target: 10 }, 20, 4, 2, { up: 0.1, down: 0.1 })).toBe(4);
    expect(objectMetricReplicas({ type: 'Value', target: 10 }, 20, 4, 4, { up: 0.1, down: 0.1 })).toBe(8);
  });

  it('clamps to min/max and reports why (convertDesiredReplicasWithRules)', () => {
    expect(reconcile(base({ spec: { minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'AverageValue', target: 1 }] }, values: [100] }), emptyHistory())).toMatchObject({ desired: 5, reason: 'TooManyReplicas' });
    expect(reconcile(base({ spec: { minReplicas: 3, maxReplicas: 5, metrics: [{ type: 'AverageValue', target: 1000 }] }, values: [1] }), emptyHistory())).toMatchObject({ desired: 3, reason: 'TooFewReplicas' });
    // current above max / below min: corrected without looking at metrics.
    expect(reconcile(base({ currentReplicas: 9, specReplicas: 9, values: [15] }), emptyHistory()).desired).toBe(6);
    expect(reconcile(base({ currentReplicas: 1, specReplicas: 1, values: [15] }), emptyHistory()).desired).toBe(2);
    // scaled to zero by hand with min > 0: autoscaling disabled.
    expect(reconcile(base({ currentReplicas: 0, specReplicas: 0, values: [100] }), emptyHistory())).toMatchObject({ desired: 0, rescale: false });
  });

  it('no behavior: scale-up limited to max(2 × current, 4) (TestScaleUpLimit-like)', () => {
    const spec = { minReplicas: 1, maxReplicas: 100, metrics: [{ type: 'AverageValue' as const, target: 1 }] };
    expect(reconcile(base({ spec, currentReplicas: 1, specReplicas: 1, values: [50] }), emptyHistory())).toMatchObject({ desired: 4, reason: 'ScaleUpLimit' });
    expect(reconcile(base({ spec, currentReplicas: 10, specReplicas: 10, values: [50] }), emptyHistory()).desired).toBe(20);
  });

  it('no behavior: downscale stabilization takes the max recommendation in the window', () => {
    const st = emptyHistory();
    const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'AverageValue' as const, target: 1000 }] };
    expect(reconcile(base({ now: 0, spec, currentReplicas: 8, specReplicas: 8, values: [8000] }), st).desired).toBe(8);
    expect(reconcile(base({ now: 100, spec, currentReplicas: 8, specReplicas: 8, values: [2000] }), st).desired).toBe(8); // held by the 8 at t=0
    expect(reconcile(base({ now: 301, spec, currentReplicas: 8, specReplicas: 8, values: [2000] }), st).desired).toBe(2); // t=0 left the 300 s window
  });
});

describe('behavior (normalizeDesiredReplicasWithBehaviors)', () => {
  const rules = (o: object) => ({ stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [], ...o });
  it('calculateScaleUpLimitWithScalingRules: Pods/Percent, Max/Min/Disabled, events in the period', () => {
    const st = newHpaState();
    const pol = [{ type: 'Pods' as const, value: 4, periodSeconds: 60 }, { type: 'Percent' as const, value: 100, periodSeconds: 60 }];
    expect(scaleUpLimit(100, 10, st, rules({ policies: pol }))).toBe(20);
    expect(scaleUpLimit(100, 10, st, rules({ policies: pol, selectPolicy: 'Min' }))).toBe(14);
    expect(scaleUpLimit(100, 10, st, rules({ policies: pol, selectPolicy: 'Disabled' }))).toBe(10);
    // 6 pods were added 30 s ago: the period started at 4 replicas.
    st.scaleUpEvents.push({ t: 70, change: 6 });
    expect(scaleUpLimit(100, 10, st, rules({ policies: pol }))).toBe(8);
    expect(scaleUpLimit(100, 10, st, rules({ policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] }))).toBe(5); // ceil(4 × 1.1)
  });

  it('calculateScaleDownLimitWithBehaviors: Percent truncates (keeps more pods), Min selects the smaller change', () => {
    const st = newHpaState();
    const pol = [{ type: 'Percent' as const, value: 10, periodSeconds: 60 }];
    expect(scaleDownLimit(100, 15, st, rules({ policies: pol }))).toBe(13); // trunc(15 × 0.9) = 13, not 14
    const two = [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }, { type: 'Percent' as const, value: 50, periodSeconds: 60 }];
    expect(scaleDownLimit(100, 10, st, rules({ policies: two }))).toBe(5);
    expect(scaleDownLimit(100, 10, st, rules({ policies: two, selectPolicy: 'Min' }))).toBe(9);
    expect(scaleDownLimit(100, 10, st, rules({ policies: two, selectPolicy: 'Disabled' }))).toBe(10);
  });

  it('policies limit the rate; events remembered for the policy period', () => {
    const spec = { minReplicas: 1, maxReplicas: 100, metrics: [{ type: 'AverageValue' as const, target: 1 }], behavior: { scaleUp: { policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }] } } };
    const st = emptyHistory();
    expect(reconcile(base({ now: 0, spec, currentReplicas: 4, specReplicas: 4, values: [50] }), st)).toMatchObject({ desired: 6, reason: 'ScaleUpLimit' });
    expect(reconcile(base({ now: 15, spec, currentReplicas: 6, specReplicas: 6, values: [50] }), st).desired).toBe(6); // 2 already added in this 60 s period
    expect(reconcile(base({ now: 61, spec, currentReplicas: 6, specReplicas: 6, values: [50] }), st).desired).toBe(8);
  });

  it('selectPolicy Disabled on scaleDown never scales in', () => {
    const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'AverageValue' as const, target: 1000 }], behavior: { scaleDown: { selectPolicy: 'Disabled' as const, stabilizationWindowSeconds: 0 } } };
    expect(reconcile(base({ spec, currentReplicas: 8, specReplicas: 8, values: [1000] }), emptyHistory()).desired).toBe(8);
  });

  it('scale-up stabilization window takes the minimum recommendation', () => {
    const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'AverageValue' as const, target: 1000 }], behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } };
    const st = emptyHistory();
    expect(reconcile(base({ now: 0, spec, currentReplicas: 3, specReplicas: 3, values: [3000] }), st).desired).toBe(3);
    expect(reconcile(base({ now: 30, spec, currentReplicas: 3, specReplicas: 3, values: [6000] }), st).desired).toBe(3); // min(3, 6) within 60 s
    expect(reconcile(base({ now: 61, spec, currentReplicas: 3, specReplicas: 3, values: [6000] }), st).desired).toBe(6);
  });

  it('scaleDown stabilization defaults to the controller flag when the behavior leaves it unset', () => {
    const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'AverageValue' as const, target: 1000 }], behavior: { scaleUp: {} } };
    const st = emptyHistory();
    reconcile(base({ now: 0, spec, currentReplicas: 8, specReplicas: 8, values: [8000] }), st);
    expect(reconcile(base({ now: 200, spec, currentReplicas: 8, specReplicas: 8, values: [1000] }), st).desired).toBe(8);
  });
});

// The edges checked against upstream pkg/controller/podautoscaler (horizontal.go, replica_calculator.go)
// of v1.32.x–v1.36.1 and pkg/features/kube_features.go; each test names the function or test it follows.
describe('upstream edges, per Kubernetes release', () => {
  const v = (kubernetesVersion: string, featureGates?: Record<string, boolean>) => ({ ...flags, kubernetesVersion, ...(featureGates ? { featureGates } : {}) });

  it('defaults to the pinned toolchain release and refuses releases and gates it cannot model', () => {
    expect(hpaEdges({}).minor).toBe(Number(/^v1\.(\d+)/.exec(KUBERNETES_VERSION)![1]));
    expect(hpaEdges({ kubernetesVersion: 'v1.34.4' })).toMatchObject({ minor: 34, band: 'ratio', configurableTolerance: false, capValueProposal: false });
    expect(hpaEdges({ kubernetesVersion: '1.35' })).toMatchObject({ configurableTolerance: true, capValueProposal: true, zeroNeedsCondition: false });
    for (const bad of ['1.31.0', '2.0', 'latest']) expect(() => hpaEdges({ kubernetesVersion: bad })).toThrow(UserError);
    expect(() => hpaEdges({ kubernetesVersion: '1.32', featureGates: { HPAConfigurableTolerance: true } })).toThrow(/does not exist in Kubernetes 1.32/);
  });

  it('(a) horizontal.go reconcileAutoscaler → recordInitialRecommendation: the history is seeded at the top of every sync, also when scaling is disabled', () => {
    const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Value' as const, target: 10 }] };
    const st = newHpaState();
    // Scaled to zero by hand: ScalingDisabled, but the history now starts with 0 at t=0.
    expect(reconcile(base({ now: 0, spec, specReplicas: 0, currentReplicas: 0, readyPods: 0, values: [20] }), st)).toMatchObject({ desired: 0, rescale: false, reason: 'ScalingDisabled' });
    expect(st.recommendations).toEqual([{ t: 0, replicas: 0 }]);
    // Scaled back to 5 by hand: the seed 0 (not 5) is what stabilizeRecommendation sees, so 5 → 2 at once.
    expect(reconcile(base({ now: 15, spec, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [4] }), st).desired).toBe(2);
    // Above maxReplicas the sync ends early, yet the seed is the out-of-range count.
    const st2 = newHpaState();
    expect(reconcile(base({ now: 0, specReplicas: 9, currentReplicas: 9, readyPods: 9, values: [15] }), st2)).toMatchObject({ desired: 6, reason: 'TooManyReplicas' });
    expect(st2.recommendations).toEqual([{ t: 0, replicas: 9 }]);
  });

  it('(b) horizontal.go reconcileAutoscaler: current = scale.spec.replicas; only GetObjectPerPodMetricReplicas reads status.replicas (TestMoreReplicasThanSpecNoScale)', () => {
    const spec = { minReplicas: 1, maxReplicas: 8, metrics: [{ type: 'Value' as const, target: 10 }] };
    // spec 4, status 5 (a surge pod): at target the proposal is spec's 4 and nothing changes.
    expect(reconcile(base({ spec, specReplicas: 4, currentReplicas: 5, readyPods: 5, values: [10] }), emptyHistory())).toMatchObject({ desired: 4, rescale: false });
    // The range checks use spec: spec 7 above max 6 is corrected even though status says 5.
    expect(reconcile(base({ specReplicas: 7, currentReplicas: 5, readyPods: 5, values: [15] }), emptyHistory())).toMatchObject({ desired: 6, reason: 'TooManyReplicas' });
    // AverageValue: ratio against target × status (2 pods so far), within tolerance → status's 2.
    const avg = { minReplicas: 1, maxReplicas: 8, metrics: [{ type: 'AverageValue' as const, target: 10 }] };
    expect(objectMetricReplicas(avg.metrics[0]!, 21, 2, 2, { up: 0.1, down: 0.1 })).toBe(2);
    expect(reconcile(base({ spec: avg, specReplicas: 4, currentReplicas: 2, readyPods: 2, values: [21] }), emptyHistory()).desired).toBe(2);
  });

  it('(c) horizontal.go computeReplicasForMetrics: an invalid metric whose valid siblings propose a scale-down ends the sync unchanged (TestNoScaleDownOneMetricInvalid)', () => {
    const spec = { minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'Value' as const, target: 20 }, { type: 'Value' as const, target: 20 }], behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } };
    const st = emptyHistory();
    expect(reconcile(base({ spec, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [8, undefined] }), st)).toMatchObject({ desired: 5, rescale: false, reason: 'FailedGetObjectMetric', metricValid: false });
    // Nothing was normalised: no recommendation recorded (with the old clamp-to-current, 5 was).
    expect(st.recommendations).toEqual([]);
    // TestScaleUpOneMetricInvalid: the valid metric still scales up, the sync goes on.
    expect(reconcile(base({ spec, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [24, undefined] }), st)).toMatchObject({ desired: 6, metricValid: false });
    expect(st.recommendations).toHaveLength(1);
    // getReadyPodsCount: no pods at all makes a Value metric outside tolerance invalid too.
    expect(reconcile(base({ specReplicas: 3, currentReplicas: 3, readyPods: 0, podCount: 0, values: [60] }), emptyHistory())).toMatchObject({ desired: 3, reason: 'FailedGetObjectMetric' });
  });

  it('(d) replica_calculator.go getUsageRatioReplicaCount: 1.35+ caps the raw proposal at MaxInt32 (TestReplicaCalcScaleUpOverflow); before, Go int32 conversion overflows', () => {
    const m = { type: 'Value' as const, target: 0.001 };
    const huge = Number(2n ** 63n - 1n) / 1000; // MaxInt64 milli-units
    expect(objectMetricReplicas(m, huge, 3, 3, { up: 0.1, down: 0.1 }, { edges: hpaEdges({ kubernetesVersion: '1.36' }) })).toBe(2 ** 31 - 1);
    expect(objectMetricReplicas(m, huge, 3, 3, { up: 0.1, down: 0.1 }, { edges: hpaEdges({ kubernetesVersion: '1.34' }) })).toBe(-(2 ** 31));
    const spec = { minReplicas: 2, maxReplicas: 10, metrics: [m] };
    expect(reconcile(base({ spec, values: [huge] }), emptyHistory())).toMatchObject({ desired: 6, reason: 'ScaleUpLimit' });
    // 1.34: the wrapped proposal is below minReplicas, so the HPA scales in to it.
    expect(reconcile(base({ spec, flags: v('1.34'), values: [huge] }), emptyHistory())).toMatchObject({ desired: 2, reason: 'TooFewReplicas' });
    expect([goInt32(2 ** 31 - 1), goInt32(2 ** 31), goInt32(NaN), goInt32(-3.7)]).toEqual([2 ** 31 - 1, -(2 ** 31), -(2 ** 31), -3]);
  });

  it('(e) horizontal.go stabilizeRecommendation[WithBehaviors]: the stale entry overwritten is the last one', () => {
    const st: HpaState = { ...newHpaState(), recommendations: [{ t: 0, replicas: 9 }, { t: 10, replicas: 7 }, { t: 900, replicas: 3 }] };
    reconcile(base({ now: 1000, values: [15] }), st);
    expect(st.recommendations).toEqual([{ t: 0, replicas: 9 }, { t: 1000, replicas: 3 }, { t: 900, replicas: 3 }]);
    const spec = { minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'Value' as const, target: 15 }], behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } };
    const st2: HpaState = { ...newHpaState(), recommendations: [{ t: 0, replicas: 9 }, { t: 10, replicas: 7 }] };
    reconcile(base({ now: 1000, spec, values: [15] }), st2);
    expect(st2.recommendations).toEqual([{ t: 0, replicas: 9 }, { t: 1000, replicas: 3 }]);
  });

  it('horizontal.go storeScaleEvent: marks outdated events and overwrites the last (TestStoreScaleEvents "replace one entry, use policies with different periods")', () => {
    const st = newHpaState();
    const now = 1000;
    st.scaleUpEvents = [{ t: now - 29, change: 8 }, { t: now - 59, change: 6 }, { t: now - 61, change: 7 }, { t: now - 61, change: 9 }];
    const behavior = { scaleUp: { policies: [{ type: 'Pods' as const, value: 10, periodSeconds: 60 }, { type: 'Percent' as const, value: 100, periodSeconds: 30 }] } };
    storeScaleEvent(now, 10, 15, behavior, flags, st);
    expect(st.scaleUpEvents.map((e) => [e.change, e.outdated === true])).toEqual([[8, false], [6, false], [7, true], [5, false]]);
  });

  describe('(f) tolerance per release: HPAConfigurableTolerance (alpha 1.33–1.34 off, beta 1.35+ on) and the band', () => {
    // TestConfigurableTolerance "Scaling up because of a 1% configurable tolerance", on an Object Value metric.
    const spec = { minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Value' as const, target: 100 }], behavior: { scaleUp: { tolerance: 0.01 } } };
    it.each([
      ['1.33', undefined, 3],
      ['1.34', undefined, 3],
      ['1.34', { HPAConfigurableTolerance: true }, 4],
      ['1.35', undefined, 4],
      ['1.35', { HPAConfigurableTolerance: false }, 3],
      ['v1.36.1', undefined, 4],
    ])('horizontal.go tolerancesForHpa, %s gates %j: ratio 1.02 with scaleUp.tolerance 0.01 → %i', (ver, gates, want) => {
      expect(reconcile(base({ spec, flags: v(ver, gates), values: [102] }), emptyHistory()).desired).toBe(want);
    });

    it('TestConfigurableTolerance "No scale-down because of a 90% configurable tolerance": 1.35+ only', () => {
      const down = { minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Value' as const, target: 100 }], behavior: { scaleDown: { tolerance: 0.9, stabilizationWindowSeconds: 0 } } };
      expect(reconcile(base({ spec: down, values: [30] }), emptyHistory()).desired).toBe(3);
      expect(reconcile(base({ spec: down, flags: v('1.34'), values: [30] }), emptyHistory()).desired).toBe(1);
    });

    it('replica_calculator.go Tolerances.isWithin (1.33+) is inclusive at 1 ± 0.1; 1.32 compared |1 − ratio|, whose float excludes 1.1', () => {
      // 16.5 / 15 is the float 1.1 and |1 − 1.1| = 0.10000000000000009.
      expect(reconcile(base({ values: [16.5] }), emptyHistory()).desired).toBe(3);
      expect(reconcile(base({ flags: v('1.33'), values: [16.5] }), emptyHistory()).desired).toBe(3);
      expect(reconcile(base({ flags: v('1.32'), values: [16.5] }), emptyHistory()).desired).toBe(4);
      // The lower edge 0.9 is inside the band in both forms (|1 − 0.9| = 0.09999999999999998).
      const st = emptyHistory();
      const noStab = { ...flags, downscaleStabilizationSeconds: 0 };
      expect(reconcile(base({ flags: noStab, values: [13.5] }), st).desired).toBe(3);
      expect(reconcile(base({ flags: { ...noStab, kubernetesVersion: '1.32' }, values: [13.5] }), emptyHistory()).desired).toBe(3);
      expect(reconcile(base({ flags: noStab, values: [13.4] }), emptyHistory()).desired).toBe(3); // ceil(0.893 × 3) = 3: a change too small to show
      expect(reconcile(base({ flags: noStab, values: [9] }), emptyHistory()).desired).toBe(2);
    });
  });

  describe('scale from zero per release (horizontal.go reconcileAutoscaler, shouldComputeMetricsForZeroReplicas in 1.36+)', () => {
    const zero = { minReplicas: 0, maxReplicas: 6, metrics: [{ type: 'Value' as const, target: 1 }] };
    const from0 = (f: HpaInput['flags'], st: HpaState) => reconcile(base({ spec: zero, flags: f, specReplicas: 0, currentReplicas: 0, readyPods: 0, values: [1] }), st);
    it('TestScaleUpFromZeroIgnoresToleranceCMObject: 1.36 scales from zero only with HPAScaleToZero and the ScaledToZero condition', () => {
      expect(from0(v('1.36', { HPAScaleToZero: true }), { ...emptyHistory(), scaledToZero: true }).desired).toBe(1);
      expect(from0(v('1.36'), { ...emptyHistory(), scaledToZero: true })).toMatchObject({ desired: 0, reason: 'ScalingDisabled' });
      expect(from0(v('1.35'), emptyHistory()).desired).toBe(1);
    });
    it('TestScaleUpFromZeroWithoutCondition and TestManualScaleToZeroDisablesHPA: without the condition zero stays zero', () => {
      expect(from0(v('1.36', { HPAScaleToZero: true }), emptyHistory())).toMatchObject({ desired: 0, reason: 'ScalingDisabled' });
      const one = { ...zero, minReplicas: 1 };
      expect(reconcile(base({ spec: one, flags: v('1.35'), specReplicas: 0, currentReplicas: 0, readyPods: 0, values: [5] }), emptyHistory()).reason).toBe('ScalingDisabled');
    });
    it('TestScaleDownToZeroCMObject sets the condition, TestScaleUpFromZeroWhenMinReplicasIncreased comes back to at least min', () => {
      const st = emptyHistory();
      const gate = v('1.36', { HPAScaleToZero: true });
      expect(reconcile(base({ spec: zero, flags: { ...gate, downscaleStabilizationSeconds: 0 }, specReplicas: 5, currentReplicas: 5, readyPods: 5, values: [0] }), st).desired).toBe(0);
      expect(st.scaledToZero).toBe(true);
      const raised = { ...zero, minReplicas: 2 };
      expect(reconcile(base({ now: 2000, spec: raised, flags: gate, specReplicas: 0, currentReplicas: 0, readyPods: 0, values: [0] }), st)).toMatchObject({ desired: 2, rescale: true });
      expect(st.scaledToZero).toBe(false);
    });
  });
});
