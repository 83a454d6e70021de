import { describe, expect, it } from 'vitest';
import { KUBERNETES_VERSION } from '../../../cluster/toolchain/versions.ts';
import type { KubeObject } from '../../model/objects.ts';
import { hpaEdges, newHpaState, reconcile, type HpaSpec } from './model.ts';
import { hpaWithOverrides, numericHpa } from './resolve.ts';
import { canonicalDecimal, controllerTolerance } from './tolerance.ts';

/**
 * Per-direction tolerances as Kubernetes v1.36.1 applies them, each case computed by hand from the
 * release's source:
 * - pkg/controller/podautoscaler/replica_calculator.go:56-58 `Tolerances.isWithin`:
 *   (1 − scaleDown) ≤ ratio ≤ (1 + scaleUp), inclusive at both ends;
 * - replica_calculator.go:311-324 `GetObjectPerPodMetricReplicas` (an Object AverageValue target):
 *   ratio = value / (target × status replicas); outside the band, ceil(value / target);
 * - horizontal.go:1514-1528 `tolerancesForHpa`: the flag's tolerance in both directions, replaced per
 *   direction by `behavior.<dir>.tolerance.AsApproximateFloat64()` when the gate is on;
 * - pkg/features/kube_features.go:1498-1501: HPAConfigurableTolerance alpha (off) from 1.33, beta
 *   (on by default) from 1.35, so a 1.36 kube-controller-manager needs no --feature-gates (and the
 *   API server keeps the field: registry/autoscaling/horizontalpodautoscaler/strategy.go:211-228
 *   drops it only with the gate off).
 */

const hpaObject = (behavior: Record<string, unknown>): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'nginx', namespace: 'default' },
  spec: { minReplicas: 1, maxReplicas: 40, metrics: [{ type: 'Object', object: { metric: { name: 'active_devices' }, target: { type: 'AverageValue', averageValue: '1k' } } }], behavior },
});

/** One sync of the model at `replicas` with the metric at `value` (scale.spec = scale.status = ready). */
const sync = (spec: HpaSpec, replicas: number, value: number) =>
  reconcile({ now: 1000, spec, flags: { tolerance: 0.1, downscaleStabilizationSeconds: 300 }, specReplicas: replicas, currentReplicas: replicas, readyPods: replicas, values: [value] }, { ...newHpaState(), recommendations: [] }).desired;

describe('behavior tolerances per direction (v1.36.1)', () => {
  it('the pinned release has HPAConfigurableTolerance on without a flag; with it off the flag holds both ways', () => {
    expect(KUBERNETES_VERSION).toMatch(/^v1\.36\./);
    expect(hpaEdges({}).configurableTolerance).toBe(true);
    const spec = numericHpa(hpaObject({ scaleUp: { tolerance: '50m' } }), 'hpa.yaml');
    const off = (v: number) => reconcile({ now: 1000, spec, flags: { tolerance: 0.1, downscaleStabilizationSeconds: 300, featureGates: { HPAConfigurableTolerance: false } }, specReplicas: 10, currentReplicas: 10, readyPods: 10, values: [v] }, { ...newHpaState(), recommendations: [] }).desired;
    expect(off(10_600)).toBe(10); // 1.06 ≤ 1 + 0.1: the flag's band
  });

  it('scaleUp.tolerance "50m" from the manifests: 1.05 is inside (inclusive), 1.06 scales up; scale-down keeps the flag', () => {
    const spec = numericHpa(hpaObject({ scaleUp: { tolerance: '50m' }, scaleDown: { stabilizationWindowSeconds: 0 } }), 'hpa.yaml');
    expect(spec.behavior?.scaleUp?.tolerance).toBe(0.05);
    // 10 replicas of 1k: 10,500 devices → ratio 1.05 = 1 + 0.05, inside → 10.
    expect(sync(spec, 10, 10_500)).toBe(10);
    // 10,600 → 1.06 > 1.05 → ceil(10,600 / 1,000) = 11 (the flag's 0.1 alone would have kept 10).
    expect(sync(spec, 10, 10_600)).toBe(11);
    // Down: the flag's 0.1. 9,100 → 0.91 ≥ 0.9, inside → 10; 8,900 → 0.89 → ceil(8.9) = 9.
    expect(sync(spec, 10, 9_100)).toBe(10);
    expect(sync(spec, 10, 8_900)).toBe(9);
  });

  it('scaleDown.tolerance 0.2 from the scenario: 0.8 is inside (inclusive), 0.79 scales down; scale-up keeps the flag', () => {
    const o = hpaWithOverrides(hpaObject({}), { hpa: { behavior: { scaleDown: { tolerance: 0.2, stabilizationWindowSeconds: 0 } } } }, 'scenario.yaml');
    const spec = numericHpa(o, 'scenario.yaml');
    // 8,000 → 0.8 = 1 − 0.2, inside → 10; 7,900 → 0.79 → ceil(7.9) = 8.
    expect(sync(spec, 10, 8_000)).toBe(10);
    expect(sync(spec, 10, 7_900)).toBe(8);
    // Up: the flag's 0.1. 11,000 → 1.1, inside → 10; 11,100 → 1.11 → 12.
    expect(sync(spec, 10, 11_000)).toBe(10);
    expect(sync(spec, 10, 11_100)).toBe(12);
  });

  it('a tolerance is the float the controller computes from the stored quantity, which moves the band edge', () => {
    // 0.059 is stored "59m"; AsApproximateFloat64 = 59 × math.Pow10(−3) = 0.059000000000000004.
    expect(controllerTolerance(0.059)).toBe(59 * 0.001);
    expect(controllerTolerance(0.059)).not.toBe(0.059);
    const spec = numericHpa(hpaWithOverrides(hpaObject({}), { hpa: { behavior: { scaleDown: { tolerance: 0.059, stabilizationWindowSeconds: 0 } } } }, 's.yaml'), 's.yaml');
    // 20 replicas, 18,820 devices: ratio 0.941, and 1 − 0.059000000000000004 < 0.941: inside → 20,
    // where the decimal 0.059 (1 − 0.059 = 0.9410000000000001) would have scaled to ceil(18.82) = 19.
    expect(sync(spec, 20, 18_820)).toBe(20);
  });

  it('canonical quantities as amount.go AsCanonicalBytes writes them', () => {
    expect(canonicalDecimal(0.05)).toEqual({ mantissa: 50n, exponent: -3 });
    expect(canonicalDecimal('0.1')).toEqual({ mantissa: 100n, exponent: -3 });
    expect(canonicalDecimal('50m')).toEqual({ mantissa: 50n, exponent: -3 });
    expect(canonicalDecimal('1.5')).toEqual({ mantissa: 1500n, exponent: -3 });
    expect(canonicalDecimal('2000')).toEqual({ mantissa: 2n, exponent: 3 });
    expect(canonicalDecimal('1')).toEqual({ mantissa: 1n, exponent: 0 });
    expect(canonicalDecimal('1e-10')).toEqual({ mantissa: 1n, exponent: -9 }); // rounded up to nano
    expect(controllerTolerance('100m')).toBe(0.1);
    expect(controllerTolerance(0)).toBe(0);
  });

  it('refuses a negative or malformed tolerance, naming the field', () => {
    expect(() => numericHpa(hpaObject({ scaleUp: { tolerance: '-10m' } }), 'hpa.yaml')).toThrow(/hpa\.yaml: HorizontalPodAutoscaler nginx: spec\.behavior\.scaleUp\.tolerance: must be ≥ 0/);
    expect(() => numericHpa(hpaObject({ scaleDown: { tolerance: 'lots' } }), 'hpa.yaml')).toThrow(/spec\.behavior\.scaleDown\.tolerance/);
  });
});
