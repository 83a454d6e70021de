import { specOf } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';

/**
 * What KEDA makes of a ScaledObject (keda.sh/v1alpha1), pure: the HPA its operator creates and
 * keeps (pkg/controller/keda/hpa.go — `keda-hpa-<name>`, one External metric per trigger named
 * `s<index>-<metric>` and selected by `scaledobject.keda.sh/name`, min from minReplicaCount but at
 * least 1, max from maxReplicaCount with KEDA's default 100, behavior from
 * `advanced.horizontalPodAutoscalerConfig`) and the parts of the ScaledObject that act beside it
 * (activation, cooldown, idle, fallback, polling). With `advanced.scalingModifiers` the triggers'
 * metrics become one, `composite-metric`, with the modifier's target and metricType.
 */

export const KEDA_DEFAULTS = { pollingInterval: 30, cooldownPeriod: 300, minReplicaCount: 0, maxReplicaCount: 100 } as const;

export interface ScaledObjectSpec {
  scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
  pollingInterval?: number;
  cooldownPeriod?: number;
  idleReplicaCount?: number;
  minReplicaCount?: number;
  maxReplicaCount?: number;
  fallback?: { failureThreshold?: number; replicas?: number; behavior?: string };
  advanced?: {
    horizontalPodAutoscalerConfig?: { name?: string; behavior?: Record<string, unknown> };
    scalingModifiers?: { formula?: string; target?: string | number; activationTarget?: string | number; metricType?: string };
  };
  triggers?: Trigger[];
}

export interface Trigger {
  type?: string;
  name?: string;
  metricType?: string;
  metadata?: Record<string, string>;
}

/**
 * The trigger's target, activation and metric as its scaler reads them: the SLS external scaler's
 * `targetValue`/`activationValue`/`metric`, else the names most built-in scalers use
 * (`threshold`/`activationThreshold`, `value`/`activationValue`, `targetValue`).
 */
export function triggerTarget(t: Trigger): { target: string | undefined; activation: string | undefined; metric: string } {
  const md = t.metadata ?? {};
  return {
    target: md.targetValue ?? md.threshold ?? md.value,
    activation: md.activationValue ?? md.activationThreshold ?? md.activationTargetValue,
    metric: md.metric ?? md.metricName ?? t.type ?? 'metric',
  };
}

export const generatedHpaName = (so: KubeObject) => (specOf(so) as ScaledObjectSpec).advanced?.horizontalPodAutoscalerConfig?.name ?? `keda-hpa-${so.metadata.name}`;

const targetOf = (type: string, value: string | number | undefined) => (type === 'Value' ? { type: 'Value', value: String(value) } : { type: 'AverageValue', averageValue: String(value) });

/** The HPA KEDA generates for `so` (autoscaling/v2), as `kubectl get hpa keda-hpa-<name> -o yaml` shows its spec. */
export function generatedHpa(so: KubeObject): KubeObject {
  const s = specOf(so) as ScaledObjectSpec;
  const selector = { matchLabels: { 'scaledobject.keda.sh/name': so.metadata.name } };
  const mod = s.advanced?.scalingModifiers;
  const metrics = mod?.formula
    ? [{ type: 'External', external: { metric: { name: 'composite-metric', selector }, target: targetOf(mod.metricType ?? 'AverageValue', mod.target) } }]
    : (s.triggers ?? []).map((t, i) => ({ type: 'External', external: { metric: { name: `s${i}-${triggerTarget(t).metric}`, selector }, target: targetOf(t.metricType ?? 'AverageValue', triggerTarget(t).target) } }));
  const min = s.minReplicaCount ?? KEDA_DEFAULTS.minReplicaCount;
  const behavior = s.advanced?.horizontalPodAutoscalerConfig?.behavior;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: generatedHpaName(so), namespace: so.metadata.namespace ?? 'default', labels: { 'scaledobject.keda.sh/name': so.metadata.name, 'app.kubernetes.io/managed-by': 'keda-operator' } },
    spec: {
      scaleTargetRef: { apiVersion: s.scaleTargetRef?.apiVersion ?? 'apps/v1', kind: s.scaleTargetRef?.kind ?? 'Deployment', name: s.scaleTargetRef?.name },
      minReplicas: min > 0 ? min : 1,
      maxReplicas: s.maxReplicaCount ?? KEDA_DEFAULTS.maxReplicaCount,
      metrics,
      ...(behavior ? { behavior: structuredClone(behavior) } : {}),
    },
  };
}
