import { UserError } from '../../../core/errors.ts';
import { specOf } from '../../model/discovery.ts';
import { quantity } from '../../model/fields.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { ScenarioOverrides } from '../../model/overrides.ts';
import { compileFormula } from './formula.ts';
import { generatedHpa, KEDA_DEFAULTS, triggerTarget, type ScaledObjectSpec } from './generated.ts';

/** What KEDA does beside its HPA, as numbers (seconds). */
export interface KedaBehaviour {
  minReplicaCount: number;
  /** Replicas while inactive (only 0: a nonzero idle count makes KEDA and its HPA fight). */
  idleReplicaCount: number | undefined;
  /** Active strictly above this (of the modified metric when scalingModifiers are set). */
  activation: number;
  pollingSeconds: number;
  cooldownSeconds: number;
  fallback: { failureThreshold: number; replicas: number } | undefined;
  metricType: 'Value' | 'AverageValue';
  /** The metric the HPA reads (the scalingModifiers formula over the trigger's value), from the trigger's value. */
  modifier: ((value: number) => number) | undefined;
}

type SoObject = KubeObject & { spec: ScaledObjectSpec };

/**
 * The scenario's `hpa:` on the ScaledObject, where KEDA takes it from: min/max → minReplicaCount /
 * maxReplicaCount, target → the trigger's target and metricType, behavior →
 * advanced.horizontalPodAutoscalerConfig.behavior.
 */
export function kedaWithOverrides(base: KubeObject, s: ScenarioOverrides, file: string): KubeObject {
  const so = structuredClone(base) as SoObject;
  const o = s.hpa ?? {};
  if (o.minReplicas !== undefined) so.spec.minReplicaCount = o.minReplicas;
  if (o.maxReplicas !== undefined) so.spec.maxReplicaCount = o.maxReplicas;
  if (o.target) {
    const t = so.spec.triggers?.[0];
    if (!t) throw new UserError(`${file}: hpa.target: the ScaledObject ${so.metadata.name} has no trigger to override`);
    const md = (t.metadata ??= {});
    const key = md.targetValue !== undefined || md.threshold === undefined ? 'targetValue' : 'threshold';
    md[key] = String(o.target.value);
    t.metricType = o.target.type;
  }
  if (o.behavior) {
    const adv = (so.spec.advanced ??= {});
    (adv.horizontalPodAutoscalerConfig ??= {}).behavior = structuredClone(o.behavior) as Record<string, unknown>;
  }
  const min = so.spec.minReplicaCount ?? KEDA_DEFAULTS.minReplicaCount;
  const max = so.spec.maxReplicaCount ?? KEDA_DEFAULTS.maxReplicaCount;
  if (min > max) throw new UserError(`${file}: hpa: minReplicas ${min} is above maxReplicas ${max} (the ScaledObject's minReplicaCount / maxReplicaCount)`);
  return so;
}

/**
 * The generated HPA as the HPA model reads it: each External metric presented as an Object metric
 * with the same target. kcm computes both alike — Value: usage ratio value / target over the ready
 * pods (GetExternalMetricReplicas, GetObjectMetricReplicas); AverageValue: value / status replicas
 * against the target (GetExternalPerPodMetricReplicas, GetObjectPerPodMetricReplicas).
 */
export function hpaModelView(so: KubeObject): KubeObject {
  const h = generatedHpa(so);
  const spec = h.spec as { metrics: { type: string; external?: { metric: object; target: object } }[] };
  spec.metrics = spec.metrics.map((m) => (m.type === 'External' && m.external ? { type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'keda' }, metric: m.external.metric, target: m.external.target } } : m)) as typeof spec.metrics;
  return h;
}

/** The ScaledObject's own behaviour as numbers; `source` names it in errors. */
export function kedaBehaviour(so: KubeObject, source: string): KedaBehaviour {
  const s = specOf(so) as ScaledObjectSpec;
  const at = (f: string) => `${source}: ScaledObject ${so.metadata.name}: spec.${f}`;
  const triggers = s.triggers ?? [];
  if (triggers.length !== 1) throw new UserError(`${at('triggers')}: ${triggers.length} triggers; the simulator feeds one metric, so it models a ScaledObject with exactly one`, 'point --manifests at an overlay whose ScaledObject has the one trigger the scenario\'s curve stands for');
  const t = triggers[0]!;
  const mod = s.advanced?.scalingModifiers;
  const metricType = (mod?.formula ? mod.metricType : t.metricType) ?? 'AverageValue';
  if (metricType !== 'Value' && metricType !== 'AverageValue') throw new UserError(`${at(mod?.formula ? 'advanced.scalingModifiers.metricType' : 'triggers[0].metricType')}: "${metricType}" is not Value or AverageValue`);
  let modifier: KedaBehaviour['modifier'];
  if (mod?.formula) {
    const name = t.name ?? 'trigger';
    const f = compileFormula(mod.formula, t.name ? [t.name] : [], at('advanced.scalingModifiers.formula'));
    modifier = (v) => f({ [name]: v });
  }
  const activationRaw = mod?.formula ? mod.activationTarget : triggerTarget(t).activation;
  const idle = s.idleReplicaCount;
  if (idle !== undefined && idle !== 0) throw new UserError(`${at('idleReplicaCount')}: ${idle}; with a nonzero idle count KEDA scales to it and its HPA straight back to minReplicas`, 'use idleReplicaCount: 0 (or leave it out)');
  const fb = s.fallback;
  if (fb && metricType !== 'AverageValue') throw new UserError(`${at('fallback')}: KEDA applies fallback only to metricType AverageValue (it answers fallback.replicas × target)`, 'use metricType AverageValue or remove fallback');
  return {
    minReplicaCount: s.minReplicaCount ?? KEDA_DEFAULTS.minReplicaCount,
    idleReplicaCount: idle,
    activation: activationRaw === undefined ? 0 : quantity(activationRaw, at(mod?.formula ? 'advanced.scalingModifiers.activationTarget' : 'triggers[0].metadata activation')),
    pollingSeconds: s.pollingInterval ?? KEDA_DEFAULTS.pollingInterval,
    cooldownSeconds: s.cooldownPeriod ?? KEDA_DEFAULTS.cooldownPeriod,
    fallback: fb ? { failureThreshold: fb.failureThreshold ?? 3, replicas: fb.replicas ?? 1 } : undefined,
    metricType,
    modifier,
  };
}
