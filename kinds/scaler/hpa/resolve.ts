import { UserError } from '../../../core/errors.ts';
import type { Behavior } from '../../model/behavior.ts';
import { checked, quantity } from '../../model/fields.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { ScenarioOverrides } from '../../model/overrides.ts';
import type { HpaFlags, HpaSpec, ObjectMetric } from './model.ts';
import { controllerTolerance } from './tolerance.ts';

/** kube-controller-manager's own defaults (flags --horizontal-pod-autoscaler-*). */
export const KCM_DEFAULTS = { tolerance: 0.1, downscaleStabilizationSeconds: 300, syncPeriodSeconds: 15 } as const;

/** The kcm flags a run models: the HPA's, and how often its controller syncs. */
export type KcmFlags = HpaFlags & { syncPeriodSeconds: number };

interface HpaSpecObject {
  minReplicas?: number;
  maxReplicas: number;
  metrics?: { type: string; object?: { metric: { name: string }; target: { type: string; value?: string | number; averageValue?: string | number } } }[];
  behavior?: Behavior<number | string> & Record<string, unknown>;
}

/** The scenario's min/max, target (on the first Object metric; the others are kept) and behavior. */
export function hpaWithOverrides(base: KubeObject, s: ScenarioOverrides, file: string): KubeObject {
  const hpa = structuredClone(base) as KubeObject & { spec: HpaSpecObject };
  const o = s.hpa ?? {};
  if (o.minReplicas !== undefined) hpa.spec.minReplicas = o.minReplicas;
  if (o.maxReplicas !== undefined) hpa.spec.maxReplicas = o.maxReplicas;
  if (o.target) {
    const metric = hpa.spec.metrics?.find((x) => x.type === 'Object');
    if (!metric?.object) throw new UserError(`${file}: hpa.target: the manifests' HPA ${hpa.metadata.name} has no Object metric to override`, 'remove hpa.target or add an Object metric to the HPA manifest');
    metric.object.target = o.target.type === 'Value' ? { type: 'Value', value: String(o.target.value) } : { type: 'AverageValue', averageValue: String(o.target.value) };
  }
  if (o.behavior) hpa.spec.behavior = structuredClone(o.behavior);
  const min = hpa.spec.minReplicas ?? 1;
  if (min > hpa.spec.maxReplicas) throw new UserError(`${file}: hpa: minReplicas ${min} is above maxReplicas ${hpa.spec.maxReplicas}`);
  return hpa;
}

/** The HPA as the model's numbers: its Object metrics (at least one), min/max and behavior. */
export function numericHpa(hpa: KubeObject, source: string): HpaSpec {
  const spec = hpa.spec as HpaSpecObject;
  const metrics = (spec.metrics ?? []).flatMap((m, i): ObjectMetric[] => {
    if (m.type !== 'Object' || !m.object) return [];
    const t = m.object.target;
    const field = `${source}: HorizontalPodAutoscaler ${hpa.metadata.name}: spec.metrics[${i}].object.target`;
    if (t.type === 'Value') return [{ type: 'Value', target: quantity(t.value, `${field}.value`) }];
    if (t.type === 'AverageValue') return [{ type: 'AverageValue', target: quantity(t.averageValue, `${field}.averageValue`) }];
    throw new UserError(`${field}.type: "${t.type}" is not Value or AverageValue`);
  });
  if (!metrics.length) throw new UserError(`${source}: HorizontalPodAutoscaler ${hpa.metadata.name} has no Object metric`, 'the pipeline feeds an Object metric (active_devices on the Service)');
  const behavior = spec.behavior ? numericBehavior(spec.behavior, `${source}: HorizontalPodAutoscaler ${hpa.metadata.name}: spec.behavior`) : undefined;
  return { minReplicas: spec.minReplicas ?? 1, maxReplicas: spec.maxReplicas, metrics, ...(behavior ? { behavior } : {}) };
}

/**
 * Behavior as numbers: a manifest's tolerance is a quantity string ("50m"), the scenario's a number;
 * either becomes the float kube-controller-manager computes from the stored quantity (`tolerance.ts`).
 */
export function numericBehavior(b: Behavior<number | string>, field: string): Behavior {
  const out = structuredClone(b) as Behavior;
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    const t = b[dir]?.tolerance;
    if (t === undefined) continue;
    const at = `${field}.${dir}.tolerance`;
    if (quantity(t, at) < 0) throw new UserError(`${at}: must be ≥ 0, got ${t}`, 'the API server refuses a negative tolerance (ValidateNonnegativeQuantity)');
    out[dir]!.tolerance = checked(() => controllerTolerance(t), at);
  }
  return out;
}

/** The scenario's kcm flags, else kcm's defaults. */
export function kcmFlags(s: ScenarioOverrides): KcmFlags {
  const h = s.hpa ?? {};
  return {
    tolerance: h.tolerance ?? KCM_DEFAULTS.tolerance,
    downscaleStabilizationSeconds: h.downscaleStabilizationSeconds ?? KCM_DEFAULTS.downscaleStabilizationSeconds,
    syncPeriodSeconds: h.syncPeriodSeconds ?? KCM_DEFAULTS.syncPeriodSeconds,
  };
}
