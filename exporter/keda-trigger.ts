import type { Sample } from './value.ts';

/**
 * The KEDA external scaler's decisions, pure: what a ScaledObject's `external` trigger asks for
 * (its metadata), which sample answers it, and whether the workload is active. Anything doubtful
 * is a `TriggerError` carrying the gRPC status to answer with, never a value: KEDA turns an error
 * into "metric unavailable" (the HPA holds, or KEDA's fallback applies), where a made-up 0 would
 * scale a chat backend in at its peak and, at minReplicaCount 0, to nothing.
 */

/** The gRPC status codes the scaler answers with (numbers as grpc-js' `status` has them). */
export const GRPC_STATUS = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;
export type TriggerStatus = keyof typeof GRPC_STATUS;

export class TriggerError extends Error {
  constructor(
    readonly status: TriggerStatus,
    message: string,
  ) {
    super(message);
  }
}

export interface TriggerSpec {
  /** The configured metric (`metrics[].name`) the trigger scales on. */
  metric: string;
  /** The value one replica should carry (the HPA's AverageValue target, or Value with metricType Value). */
  targetValue: number;
  /** Active (scaled from zero / kept above idle) only while the value is above this. */
  activationValue: number;
  /** label=value pairs selecting one sample of a metric with labelColumns. */
  labels: Record<string, string>;
}

/** The trigger metadata keys this scaler reads; KEDA passes the rest (scalerAddress, …) along too. */
export const METADATA_KEYS = ['metric', 'targetValue', 'activationValue', 'labels'] as const;

const DECIMAL = /^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

function decimal(md: Record<string, string>, key: string, fallback: number | undefined, positive: boolean): number {
  const raw = md[key];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new TriggerError('INVALID_ARGUMENT', `trigger metadata ${key}: missing; give the value one replica should carry, e.g. ${key}: "1000"`);
  }
  const n = Number(raw);
  if (!DECIMAL.test(raw) || !Number.isFinite(n) || (positive && n <= 0)) throw new TriggerError('INVALID_ARGUMENT', `trigger metadata ${key}: ${JSON.stringify(raw)} is not a ${positive ? 'positive' : 'non-negative'} decimal number`);
  return n;
}

function parseLabels(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw?.trim()) return out;
  for (const part of raw.split(',')) {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(part);
    if (!m) throw new TriggerError('INVALID_ARGUMENT', `trigger metadata labels: ${JSON.stringify(part.trim())} is not label=value (write labels: "region=cn-hangzhou,tier=gold")`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** The trigger's metadata as a spec; `metric` may be left out when the config has exactly one. */
export function parseTrigger(md: Record<string, string>, configured: readonly string[]): TriggerSpec {
  const metric = md.metric?.trim() || (configured.length === 1 ? configured[0]! : undefined);
  if (metric === undefined) throw new TriggerError('INVALID_ARGUMENT', `trigger metadata metric: missing; this scaler serves ${configured.join(', ')}`);
  if (!configured.includes(metric)) throw new TriggerError('NOT_FOUND', `trigger metadata metric: ${JSON.stringify(metric)} is not configured; this scaler serves ${configured.join(', ')}`);
  return { metric, targetValue: decimal(md, 'targetValue', undefined, true), activationValue: decimal(md, 'activationValue', 0, false), labels: parseLabels(md.labels) };
}

/**
 * KEDA asks GetMetrics with the name GetMetricSpec gave; releases that index triggers send it as
 * `s<i>-<name>`. Either is this metric.
 */
export function sameMetric(requested: string, metric: string): boolean {
  return requested === metric || requested.replace(/^s\d+-/, '') === metric;
}

export interface Freshness {
  /** Samples while within maxStaleness; undefined when stale or never answered. */
  samples: Sample[] | undefined;
  lastError: { code: string; message: string } | undefined;
  lastSuccess: number | undefined;
}

/** The one value the trigger scales on, or the reason there is none. */
export function pickValue(spec: TriggerSpec, r: Freshness): number {
  if (r.samples === undefined) {
    const why = r.lastError ? `last error ${r.lastError.code}: ${r.lastError.message}` : 'no query has ended yet';
    const age = r.lastSuccess === undefined ? 'no good answer from SLS yet' : 'its last good answer is older than maxStaleness';
    throw new TriggerError('UNAVAILABLE', `metric ${spec.metric} has no fresh value (${age}; ${why})`);
  }
  const wanted = Object.entries(spec.labels);
  const hits = r.samples.filter((s) => wanted.every(([k, v]) => s.labels[k] === v));
  if (hits.length === 1) return hits[0]!.value;
  const shown = r.samples.slice(0, 5).map((s) => JSON.stringify(s.labels)).join(', ');
  if (hits.length === 0) throw new TriggerError('FAILED_PRECONDITION', `metric ${spec.metric}: no sample has labels ${JSON.stringify(spec.labels)} (samples: ${shown})`);
  throw new TriggerError('FAILED_PRECONDITION', `metric ${spec.metric}: ${hits.length} samples match ${JSON.stringify(spec.labels)}; select one with trigger metadata labels (samples: ${shown})`);
}

/** KEDA's activation: active strictly above the activation value (0 devices is never active). */
export function isActive(value: number, spec: TriggerSpec): boolean {
  return value > spec.activationValue;
}
