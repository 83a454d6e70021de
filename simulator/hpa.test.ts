import { describe, expect, it } from 'vitest';
import { newHpaState, objectMetricReplicas, reconcile, scaleDownLimit, scaleUpLimit, withinTolerance, type HpaInput, type HpaState } from './hpa.ts';

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
    ['TestScaleUpFromZeroIgnoresToleranceCMObject: min 0, from 0, Value 1 level 1 → 1', base({ spec: { minReplicas: 0, maxReplicas: 6, metrics: [{ type: 'Value', target: 1 }] }, specReplicas: 0, currentReplicas: 0, readyPods: 0, values: [1] }), emptyHistory(), 1],
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
