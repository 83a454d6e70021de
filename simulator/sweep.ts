import { UserError } from '../core/errors.ts';
import type { SimSummary } from './simulate.ts';
import type { ExpectationVerdicts } from './whatif-run.ts';
import type { SystemConfig } from './system.ts';

/**
 * What-if sweeps, pure: `--vary key=a..b[:step]` or `key=a,b,c` → the cartesian product of
 * configurations, each applied to a system; and the cost vs SLO-coverage frontier of the results.
 */
export const VARY_KEYS = {
  sourceMax: 'ElasticWorkload source max (replicas on ECS)',
  target: 'HPA target value (devices per replica for AverageValue)',
  minReplicas: 'HPA minReplicas',
  maxReplicas: 'HPA maxReplicas',
  stabilization: 'downscale stabilization window, seconds',
  syncPeriod: 'HPA sync period, seconds',
  tolerance: 'HPA tolerance',
  ecsNodes: 'ECS node count (first pool)',
} as const;
export type VaryKey = keyof typeof VARY_KEYS;
export type Config = Partial<Record<VaryKey, number>>;

export function parseVary(spec: string): { key: VaryKey; values: number[] } {
  const m = /^([A-Za-z]+)=(.+)$/.exec(spec.trim());
  if (!m) throw new UserError(`--vary ${spec}: expected key=a..b[:step] or key=a,b,c`, `keys: ${Object.keys(VARY_KEYS).join(', ')}`);
  const key = m[1] as VaryKey;
  if (!(key in VARY_KEYS)) throw new UserError(`--vary ${spec}: unknown key "${m[1]}"`, `keys: ${Object.entries(VARY_KEYS).map(([k, v]) => `${k} (${v})`).join(', ')}`);
  const range = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(m[2]!);
  let values: number[];
  if (range) {
    const [a, b, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)];
    if (!(step > 0)) throw new UserError(`--vary ${spec}: step must be positive`);
    if (b < a) throw new UserError(`--vary ${spec}: range end ${b} is below its start ${a}`);
    const n = Math.floor((b - a) / step + 1e-9) + 1;
    if (n > 100_000) throw new UserError(`--vary ${spec}: ${n} values is too many`);
    values = Array.from({ length: n }, (_, i) => Number((a + i * step).toFixed(10)));
  } else {
    values = m[2]!.split(',').map((v) => Number(v));
    if (values.some((v) => !Number.isFinite(v))) throw new UserError(`--vary ${spec}: "${m[2]}" is not a list of numbers`);
  }
  const integer = key !== 'tolerance' && key !== 'target' && key !== 'syncPeriod';
  if (integer && values.some((v) => !Number.isInteger(v) || v < 0)) throw new UserError(`--vary ${spec}: ${key} takes non-negative integers`);
  if (key === 'tolerance' && values.some((v) => v < 0 || v > 1)) throw new UserError(`--vary ${spec}: tolerance is between 0 and 1`);
  if ((key === 'target' || key === 'syncPeriod' || key === 'maxReplicas') && values.some((v) => v <= 0)) throw new UserError(`--vary ${spec}: ${key} must be positive`);
  return { key, values };
}

/**
 * The most configurations one sweep runs: about 80 s of CPU per simulated day on 2 cores, and every
 * row is held in memory until the frontier is computed.
 */
export const MAX_CONFIGURATIONS = 200_000;

/**
 * How many configurations `varies` make, by arithmetic alone (nothing is built): a key given twice
 * or a product above MAX_CONFIGURATIONS is a UserError. Three wide ranges used to be multiplied out
 * first and the count checked after — out of memory long before the check.
 */
export function sweepSize(varies: { key: VaryKey; values: number[] }[]): number {
  const seen = new Set<VaryKey>();
  for (const v of varies) {
    if (seen.has(v.key)) throw new UserError(`--vary ${v.key} is given twice; the second would silently multiply the sweep by the first`, `give each key once with all its values, e.g. --vary ${v.key}=a,b,c or --vary ${v.key}=a..b:step`);
    seen.add(v.key);
  }
  const n = varies.reduce((a, v) => a * v.values.length, 1);
  if (n > MAX_CONFIGURATIONS) {
    const dims = varies.map((v) => `${v.key} (${v.values.length.toLocaleString('en-US')})`).join(' × ');
    throw new UserError(`--vary ${dims} make ${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} configurations, more than the limit of ${MAX_CONFIGURATIONS.toLocaleString('en-US')}`, 'narrow a range or take a larger step (a..b:step), or split the sweep');
  }
  return n;
}

/** Every combination of the values, in order; refused (sweepSize) before anything is built. */
export function product(varies: { key: VaryKey; values: number[] }[]): Config[] {
  sweepSize(varies);
  let out: Config[] = [{}];
  for (const v of varies) out = out.flatMap((c) => v.values.map((x) => ({ ...c, [v.key]: x })));
  return out;
}

/**
 * `sys` with a configuration applied. The objects a configuration can change are copied; the rest
 * (pod, pipeline, ECI node, cost) is shared with `sys`, read-only like `sys` itself: a sweep applies
 * a configuration per day simulated, and a deep clone of the whole system cost more than that day.
 */
export function applyConfig(sys: SystemConfig, c: Config): SystemConfig {
  const s: SystemConfig = {
    ...sys,
    hpa: { ...sys.hpa, metrics: sys.hpa.metrics.map((m) => ({ ...m })) },
    flags: { ...sys.flags },
    placement: { ...sys.placement, tiers: sys.placement.tiers.map((t) => ({ ...t })) },
    nodes: { ...sys.nodes, ecs: sys.nodes.ecs.map((p) => ({ ...p })) },
  };
  if (c.sourceMax !== undefined) s.placement.tiers[0]!.max = c.sourceMax;
  if (c.target !== undefined) s.hpa.metrics = s.hpa.metrics.map((m) => ({ ...m, target: c.target! }));
  if (c.minReplicas !== undefined) s.hpa.minReplicas = c.minReplicas;
  if (c.maxReplicas !== undefined) s.hpa.maxReplicas = c.maxReplicas;
  if (c.stabilization !== undefined) s.flags.downscaleStabilizationSeconds = c.stabilization;
  if (c.syncPeriod !== undefined) s.flags.syncPeriodSeconds = c.syncPeriod;
  if (c.tolerance !== undefined) s.flags.tolerance = c.tolerance;
  if (c.ecsNodes !== undefined && s.nodes.ecs[0]) s.nodes.ecs[0].count = c.ecsNodes;
  if (s.hpa.minReplicas > s.hpa.maxReplicas) throw new UserError(`configuration ${JSON.stringify(c)}: minReplicas ${s.hpa.minReplicas} is above maxReplicas ${s.hpa.maxReplicas}`);
  return s;
}

export interface SweepRow {
  config: Config;
  summary: SimSummary;
  /** The scenario's expectations on this configuration, in order (`whatif-run.ts`). */
  expectations: ExpectationVerdicts;
}

/** Pareto frontier: no other row is both cheaper (or equal) and covers at least as much, strictly better in one. */
export function frontier<R extends SweepRow>(rows: R[]): R[] {
  const sorted = [...rows].sort((a, b) => a.summary.costTotal - b.summary.costTotal || b.summary.sloCoveragePercent - a.summary.sloCoveragePercent);
  const out: R[] = [];
  let best = -Infinity;
  for (const r of sorted) {
    if (r.summary.sloCoveragePercent > best) {
      out.push(r);
      best = r.summary.sloCoveragePercent;
    }
  }
  return out;
}
