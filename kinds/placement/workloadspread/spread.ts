import type { TierObserved } from '../../model/placement.ts';

/**
 * Where a WorkloadSpread's pods are, pure. Kruise's webhook puts each new pod in the first subset,
 * in list order, that still misses replicas (`missingReplicas`: its max minus its pods; no max:
 * always), and the controller sets each pod's deletion cost to 100 × (subsets − index), negative
 * for the pods a subset holds above its max, so the ReplicaSet scales in from the last subset
 * first. Both together keep the pods filled in list order up to each max, whatever the path: the
 * split is a function of the total.
 */

/** A subset's `maxReplicas`: a number, a percentage of the workload's replicas, or none (unbounded). */
export type SubsetMax = number | { percent: number } | undefined;

/** `maxReplicas` as the webhook's validation takes it: a non-negative integer or `"<0–100>%"`. */
export function parseMaxReplicas(v: unknown): SubsetMax {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  if (m && Number(m[1]) <= 100) return { percent: Number(m[1]) };
  throw new Error(`must be a non-negative integer or a percentage from "0%" to "100%", got ${JSON.stringify(v)}`);
}

/** A max at `replicas` (`GetScaledValueFromIntOrPercent` rounding up, as the controller and the webhook do). */
export function maxOf(m: SubsetMax, replicas: number): number | undefined {
  if (m === undefined || typeof m === 'number') return m;
  return Math.ceil((replicas * m.percent) / 100);
}

/** `total` pods filled in list order up to each subset's max; pods beyond every max are not placed by the webhook. */
export function spread(total: number, maxes: readonly SubsetMax[]): number[] {
  const out: number[] = [];
  let left = total;
  for (const m of maxes) {
    const n = Math.max(0, Math.min(maxOf(m, total) ?? Infinity, left));
    out.push(n);
    left -= n;
  }
  return out;
}

/**
 * The Adaptive strategy: a subset whose pods stayed Pending past `rescheduleCriticalSeconds` is
 * marked unschedulable (the webhook skips it) and its Pending pods are deleted, so it holds its
 * ready pods and what it cannot start is recreated in the next subsets. Running pods are never
 * moved: each subset keeps its ready pods (up to its max) before the rest is filled in list order,
 * and scale-in still takes the last subsets' pods first.
 */
export function spreadAdaptive(total: number, maxes: readonly SubsetMax[], observed: readonly (TierObserved | undefined)[]): number[] {
  const caps = maxes.map((m, i) => {
    const cap = maxOf(m, total) ?? Infinity;
    const o = observed[i];
    return o?.unschedulable ? Math.min(cap, o.ready) : cap;
  });
  const out = caps.map(() => 0);
  let left = total;
  for (let i = 0; i < caps.length && left > 0; i++) {
    const keep = Math.min(observed[i]?.ready ?? 0, caps[i]!, left);
    out[i] = keep;
    left -= keep;
  }
  for (let i = 0; i < caps.length && left > 0; i++) {
    const add = Math.min(caps[i]! - out[i]!, left);
    out[i]! += add;
    left -= add;
  }
  return out;
}
