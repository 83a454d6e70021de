/**
 * OpenKruise's UnitedDeployment replica allocation, pure: a port of
 * `pkg/controller/uniteddeployment/allocator.go` (v1.9.0) for subsets with minReplicas/maxReplicas
 * (`minMaxAllocator`) and for the `Adaptive` schedule strategy without reservation
 * (`adaptiveAllocator`). Both end in `allocateByMinMaxMap`: every subset's min first, in list order,
 * then each subset up to its max, in list order. Scaling in is the same function with a smaller
 * total, so the last subsets lose their replicas first. Unlike the ElasticWorkload's, a min is not a
 * floor above the total: the mins are filled in order until the total runs out.
 */

/** A subset's bounds as numbers (the controller's `int32`; no max is `MaxInt32`, unbounded here). */
export interface SubsetBounds {
  min?: number;
  max?: number;
}

/** What the Adaptive strategy reads of a subset's workload: its ready pods and whether it is marked unschedulable. */
export interface SubsetObserved {
  ready: number;
  /** Pods stayed Pending past `rescheduleCriticalSeconds`; lasts `unschedulableDuration`. */
  unschedulable: boolean;
}

/** `allocateByMinMaxMap`: the mins in list order, then up to each max in list order. */
export function allocateMinMax(total: number, subsets: readonly SubsetBounds[]): number[] {
  const out: number[] = [];
  let allocated = 0;
  for (const s of subsets) {
    const add = Math.max(0, Math.min(s.min ?? 0, total - allocated));
    out.push(add);
    allocated += add;
  }
  if (allocated >= total) return out;
  for (let i = 0; i < subsets.length; i++) {
    const s = subsets[i]!;
    const add = Math.max(0, Math.min((s.max ?? Infinity) - (s.min ?? 0), total - allocated));
    out[i]! += add;
    allocated += add;
  }
  return out;
}

/**
 * `adaptiveAllocator.Alloc`: an unschedulable subset is held at its ready pods (min raised to them,
 * max lowered to them), so what it cannot start overflows to the next subsets; a schedulable
 * subset's ready pods are kept (its min raised to them, up to its max) so running pods are not
 * moved. Without observations (a new UnitedDeployment) it is `allocateMinMax`.
 */
export function allocateAdaptive(total: number, subsets: readonly SubsetBounds[], observed: readonly (SubsetObserved | undefined)[]): number[] {
  const bounds = subsets.map((s, i): SubsetBounds => {
    let min = s.min ?? 0;
    let max = s.max ?? Infinity;
    const o = observed[i];
    if (o?.unschedulable) {
      min = Math.max(o.ready, min);
      max = Math.min(o.ready, max);
    } else if (o && o.ready > min) {
      min = Math.min(o.ready, max);
    }
    return { min, max };
  });
  return allocateMinMax(total, bounds);
}

/**
 * `ParseSubsetReplicas`: an integer as is, or a percentage of the UnitedDeployment's replicas
 * (rounded half up); anything else is an error message.
 */
export function parseSubsetReplicas(udReplicas: number, v: number | string): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw new Error(`must be a non-negative integer or a percentage like "50%", got ${v}`);
    return v;
  }
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`must be a non-negative integer or a percentage like "50%", got "${v}"`);
  const percent = Number(m[1]);
  if (percent > 100) throw new Error(`a percentage must be in [0, 100], got "${v}"`);
  return Math.floor((udReplicas * percent) / 100 + 0.5);
}
