import { specOf } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { RunAddresses } from '../../model/scaler.ts';
import { generatedHpaName, KEDA_DEFAULTS, type ScaledObjectSpec, type Trigger } from './generated.ts';

/** The trigger types whose scaler is a gRPC server of ours (`ebbflow keda-scaler`), not built into KEDA. */
const EXTERNAL = new Set(['external', 'external-push']);

const triggers = (so: KubeObject): Trigger[] => (specOf(so) as ScaledObjectSpec).triggers ?? [];

/** Whether the ScaledObject asks an external scaler (the SLS scaler) the run must serve. */
export function needsExternalScaler(so: KubeObject): boolean {
  return triggers(so).some((t) => EXTERNAL.has(t.type ?? ''));
}

/**
 * Whether the HPA's value is read live from the source on each sync: KEDA's metrics server asks
 * the operator, which asks the scaler (minReplicaCount ≥ 1: no cache between). A `prometheus`
 * trigger asks Prometheus live, but Prometheus only holds what it scraped: the scrape interval
 * stands between the exporter and the HPA as on the adapter's path.
 */
export function readsLive(so: KubeObject): boolean {
  return !triggers(so).some((t) => t.type === 'prometheus');
}

/**
 * KEDA's prometheus scaler asks `/api/v1/query?…&time=<now as RFC 3339>` (pkg/scalers/prometheus_scaler.go,
 * v2.21.0): whole seconds, so Prometheus answers with what it held at the operator's last whole
 * second. 1 s for a `prometheus` trigger, 0 for the others (the SLS scaler answers for its now).
 */
export function queryResolutionSeconds(so: KubeObject): number {
  return triggers(so).some((t) => t.type === 'prometheus') ? 1 : 0;
}

/**
 * The ScaledObject a replay applies at compression `k`: its HPA behavior compressed as the HPA's
 * is, `cooldownPeriod` and `pollingInterval` divided by k (KEDA takes whole seconds, at least 1:
 * what cannot shrink further is said in the warnings, where it matters — activation and scale to
 * zero; with minReplicaCount ≥ 1 KEDA reads the scaler on each HPA sync, not on its poll).
 */
export function replayedScaledObject(so: KubeObject, o: { k: number; compressBehavior: (b: Record<string, unknown>) => Record<string, unknown> }): { object: KubeObject; hpaName: string; warnings: string[] } {
  const out = structuredClone(so) as KubeObject & { spec: ScaledObjectSpec };
  const s = out.spec;
  const warnings: string[] = [];
  const hpaConfig = s.advanced?.horizontalPodAutoscalerConfig;
  if (hpaConfig?.behavior) hpaConfig.behavior = o.compressBehavior(hpaConfig.behavior);
  const seconds = (field: 'pollingInterval' | 'cooldownPeriod') => {
    const v = s[field] ?? KEDA_DEFAULTS[field];
    const c = Math.max(1, Math.round(v / o.k));
    const scalesToZero = (s.minReplicaCount ?? KEDA_DEFAULTS.minReplicaCount) === 0;
    if (scalesToZero && Math.abs(c * o.k - v) > v * 0.1) warnings.push(`ScaledObject ${so.metadata.name} ${field} ${v} s runs as ${c} s at k=${o.k} (${c * o.k} virtual s): KEDA takes whole seconds`);
    s[field] = c;
  };
  seconds('pollingInterval');
  seconds('cooldownPeriod');
  return { object: out, hpaName: generatedHpaName(so), warnings };
}

/** The run's Prometheus and SLS scaler where the triggers name theirs (a team's in-cluster Service names mean nothing to this run). */
export function retargetScaledObject(so: KubeObject, run: RunAddresses): KubeObject {
  const out = structuredClone(so) as KubeObject & { spec: ScaledObjectSpec };
  for (const t of out.spec.triggers ?? []) {
    const md = (t.metadata ??= {});
    if (t.type === 'prometheus' && run.prometheusUrl) md.serverAddress = run.prometheusUrl;
    if (EXTERNAL.has(t.type ?? '') && run.externalScaler) md.scalerAddress = run.externalScaler;
  }
  return out;
}
