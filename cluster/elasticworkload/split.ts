/**
 * The ElasticWorkload replica split, pure. The source Deployment takes replicas first, up to its max
 * (never below its min); the overflow fills the elastic units in list order, each up to its max (a
 * unit without max is unbounded). Scaling in is the same function with a smaller total, so replicas
 * leave the last unit first and the source last; `stageApply` makes that order hold in time too.
 */

export interface SourceTargetSpec {
  name: string;
  kind?: string;
  apiVersion?: string;
  min?: number;
  max?: number;
}

export interface ElasticUnitSpec {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: object[];
  affinity?: object;
  min?: number;
  max?: number;
}

export interface ElasticWorkloadSpec {
  replicas?: number;
  sourceTarget: SourceTargetSpec;
  elasticUnit?: ElasticUnitSpec[];
}

export interface Split {
  source: number;
  /** Replicas per unit, in the spec's order, keyed by unit name (not the Deployment name). */
  units: { name: string; replicas: number }[];
  /** Replicas that fit nowhere because every bound was reached (0 when the last unit is unbounded). */
  unplaced: number;
  /** Replicas above spec.replicas that min floors forced in. */
  forcedByMin: number;
}

/** Deployment name of a unit: `<source>-unit-<unit>`, as ACK names it. */
export function unitDeploymentName(source: string, unit: string): string {
  return `${source}-unit-${unit}`;
}

/** Every problem with a spec, as `field: message`; empty when the split can be computed. */
export function validateSpec(spec: ElasticWorkloadSpec | undefined): string[] {
  const errors: string[] = [];
  if (!spec) return ['spec: missing'];
  const st = spec.sourceTarget;
  if (!st || !st.name) errors.push('spec.sourceTarget.name: required');
  if (st?.kind !== undefined && st.kind !== 'Deployment') errors.push(`spec.sourceTarget.kind: only Deployment is supported, got "${st.kind}"`);
  if (st?.apiVersion !== undefined && st.apiVersion !== 'apps/v1') errors.push(`spec.sourceTarget.apiVersion: only apps/v1 is supported, got "${st.apiVersion}"`);
  const bounds = (path: string, b: { min?: number; max?: number } | undefined) => {
    for (const k of ['min', 'max'] as const) {
      const v = b?.[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) errors.push(`${path}.${k}: must be a non-negative integer, got ${v}`);
    }
    if (b?.min !== undefined && b.max !== undefined && b.min > b.max) errors.push(`${path}: min ${b.min} is above max ${b.max}`);
  };
  bounds('spec.sourceTarget', st);
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) errors.push(`spec.replicas: must be a non-negative integer, got ${spec.replicas}`);
  const seen = new Set<string>();
  (spec.elasticUnit ?? []).forEach((u, i) => {
    if (!u.name) errors.push(`spec.elasticUnit[${i}].name: required`);
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(u.name)) errors.push(`spec.elasticUnit[${i}].name: "${u.name}" is not a DNS label`);
    else if (seen.has(u.name)) errors.push(`spec.elasticUnit[${i}].name: duplicate unit "${u.name}"`);
    else if (st?.name && unitDeploymentName(st.name, u.name).length > 253) errors.push(`spec.elasticUnit[${i}].name: Deployment name too long`);
    seen.add(u.name);
    bounds(`spec.elasticUnit[${i}]`, u);
  });
  return errors;
}

/**
 * Split `replicas` over the source and the units. Mins are floors: a source min (or unit min) above
 * what the total gives still holds, like ACK's add-on, and is reported in `forcedByMin`.
 */
export function computeSplit(spec: ElasticWorkloadSpec, replicas = spec.replicas ?? 0): Split {
  const st = spec.sourceTarget;
  const srcMax = st.max ?? Infinity;
  const srcMin = st.min ?? 0;
  const source = Math.max(srcMin, Math.min(replicas, srcMax));
  let remaining = Math.max(0, replicas - Math.min(replicas, srcMax));
  let forced = source - Math.min(replicas, srcMax);
  const units = (spec.elasticUnit ?? []).map((u) => {
    const take = Math.min(remaining, u.max ?? Infinity);
    remaining -= take;
    const r = Math.max(u.min ?? 0, take);
    forced += r - take;
    return { name: u.name, replicas: r };
  });
  return { source, units, unplaced: remaining, forcedByMin: forced };
}

export interface Observed {
  /** Current spec.replicas of the source Deployment. */
  source: number;
  /** Per unit name: spec.replicas and the pods that still exist (status.replicas). */
  units: Record<string, { spec: number; existing: number }>;
}

export interface StagedApply {
  source: number;
  units: { name: string; replicas: number }[];
  /** True when the source is held above its target until unit pods are gone. */
  holding: boolean;
}

/**
 * What to write now to move from `observed` towards `target` with the scale-down order held: units
 * shrink at once, but the source shrinks only when no unit still has pods above its target.
 * Scaling up applies at once.
 */
export function stageApply(target: Split, observed: Observed): StagedApply {
  const targetOf = new Map(target.units.map((u) => [u.name, u.replicas]));
  // A unit no longer in the spec drains to zero like any other.
  const unitsDraining = Object.entries(observed.units).some(([name, o]) => o.existing > (targetOf.get(name) ?? 0));
  const shrinkSource = target.source < observed.source;
  if (shrinkSource && unitsDraining) return { source: observed.source, units: target.units, holding: true };
  return { source: target.source, units: target.units, holding: false };
}
