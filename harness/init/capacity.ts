import { parseQuantity } from '../../core/units.ts';

/**
 * The starter scenario's capacity per replica (`devicesPerReplica`) from the team's HPA target,
 * pure. An AverageValue target on the device metric (Object, External or Pods, autoscaling/v2 or
 * v2beta1/v2beta2) is the number of devices the team sizes one replica for; a Value target is a
 * total, not per replica, so nothing can be derived from it (and it keeps doubling replicas on a
 * metric that does not fall as replicas rise).
 */

export type Capacity = { devicesPerReplica: number; from: string } | { reason: string; fix: string };

interface Doc {
  object: unknown;
  file: string;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);

const FIX = 'set `devicesPerReplica:` in the scenario to the devices one replica of your workload serves';

export function capacityFromHpa(docs: Doc[]): Capacity {
  const hpas = docs.filter((d) => rec(d.object)?.kind === 'HorizontalPodAutoscaler');
  if (hpas.length === 0) return { reason: 'no HorizontalPodAutoscaler found in the manifests', fix: FIX };
  // A later document (a patch) refines an earlier one of the same name: the last word wins.
  const byName = new Map<string, Doc>();
  for (const d of hpas) byName.set(String(rec(rec(d.object)?.metadata)?.name ?? ''), d);
  const derived = [...byName.values()].map((d) => ({ d, t: averageTarget(d) }));
  const found = derived.filter((x): x is { d: Doc; t: { value: number; where: string } } => 'value' in x.t);
  if (found.length === 1) return { devicesPerReplica: found[0]!.t.value, from: `${found[0]!.t.where} (${found[0]!.d.file})` };
  if (found.length > 1) return { reason: `${found.length} HPAs with an AverageValue target (${found.map((x) => x.t.where).join(', ')})`, fix: FIX };
  const why = derived.map((x) => ('why' in x.t ? x.t.why : '')).filter(Boolean);
  return { reason: why.join('; ') || 'the HPA has no metric target', fix: FIX };
}

const kinds = ['object', 'external', 'pods'] as const;

function averageTarget(d: Doc): { value: number; where: string } | { why: string } {
  const o = rec(d.object)!;
  const name = `HorizontalPodAutoscaler ${String(rec(o.metadata)?.name ?? '?')}`;
  const metrics = Array.isArray(rec(o.spec)?.metrics) ? (rec(o.spec)!.metrics as unknown[]) : [];
  const whys: string[] = [];
  for (const m of metrics) {
    const type = String(rec(m)?.type ?? '').toLowerCase();
    const body = kinds.includes(type as (typeof kinds)[number]) ? rec(rec(m)?.[type]) : undefined;
    if (!body) {
      whys.push(`${name}: a ${String(rec(m)?.type ?? 'metric')} metric is not a device count`);
      continue;
    }
    const t = rec(body.target);
    // v2: target.{type, averageValue|value}; v2beta1: targetAverageValue / averageValue / targetValue.
    const avg = t ? (t.type === 'AverageValue' ? t.averageValue : undefined) : (body.targetAverageValue ?? body.averageValue);
    const total = t ? (t.type === 'Value' ? t.value : undefined) : body.targetValue;
    const metricName = String(rec(body.metric)?.name ?? body.metricName ?? '?');
    if (avg !== undefined) {
      const v = quantity(avg);
      if (v !== undefined && v > 0) return { value: v, where: `${name}, ${metricName} AverageValue ${String(avg)}` };
    }
    whys.push(total !== undefined ? `${name} targets ${metricName} with a Value (${String(total)}), a total rather than a per-replica capacity` : `${name}: no AverageValue target on ${metricName}`);
  }
  return { why: whys.join('; ') || `${name} has no metrics` };
}

function quantity(v: unknown): number | undefined {
  try {
    return typeof v === 'number' ? v : typeof v === 'string' ? parseQuantity(v) : undefined;
  } catch {
    return undefined;
  }
}
