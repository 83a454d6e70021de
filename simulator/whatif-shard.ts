import { UserError } from '../core/errors.ts';
import type { SystemManifests } from '../kinds/system.ts';
import { makeCurve, type Scenario } from '../scenarios/index.ts';
import { growth } from '../scenarios/transforms.ts';
import type { SimSummary } from './simulate.ts';
import { runConfig, type ExpectationVerdicts } from './whatif-run.ts';
import { applyConfig, parseVary, product, type Config, type SweepRow } from './sweep.ts';
import { systemFromScenario } from './system.ts';

/**
 * A what-if sweep split into shards that run anywhere (a Kubernetes Indexed Job's pods), pure:
 * the input every shard reads (one JSON document: the loaded scenario with its curve, the resolved
 * manifests, the --vary specs), the deterministic split of the configurations by shard index, the
 * compact line format a shard prints and the merge back into the local sweep's rows and order.
 */

// v2: a row carries the scenario's expectations' verdicts after the summary.
export const SHARD_FORMAT = 'ebbflow-whatif-shard/v2';

export interface ShardInput {
  format: typeof SHARD_FORMAT;
  /** The loaded scenario; its curve as data (name, step, values, days, startMs), revived by `decodeShardInput`. */
  scenario: unknown;
  manifests: SystemManifests;
  vary: string[];
  /** Whole days; absent: the scenario's windows. */
  days?: number;
  growth?: number;
}

export interface DecodedShardInput {
  scenario: Scenario;
  manifests: SystemManifests;
  vary: string[];
  configs: Config[];
  days?: number;
  growth?: number;
}

/** The one document every shard reads. The curve's `at` is code, so only its data travels. */
export function encodeShardInput(i: { scenario: Scenario; manifests: SystemManifests; vary: string[]; days?: number | undefined; growth?: number | undefined }): string {
  const { at: _at, ...curve } = i.scenario.curve;
  const doc: ShardInput = { format: SHARD_FORMAT, scenario: { ...i.scenario, curve }, manifests: i.manifests, vary: i.vary, ...(i.days !== undefined ? { days: i.days } : {}), ...(i.growth !== undefined ? { growth: i.growth } : {}) };
  return JSON.stringify(doc);
}

export function decodeShardInput(text: string, where = 'shard input'): DecodedShardInput {
  let doc: ShardInput;
  try {
    doc = JSON.parse(text) as ShardInput;
  } catch (e) {
    throw new UserError(`${where}: not JSON (${(e as Error).message})`, 'it is written by `ebbflow whatif --on-cluster`; do not edit it');
  }
  if (doc?.format !== SHARD_FORMAT) throw new UserError(`${where}: format is ${JSON.stringify(doc?.format)}, want ${SHARD_FORMAT}`, 'run the same ebbflow version (image) that wrote it');
  const s = doc.scenario as Scenario & { curve: Omit<Scenario['curve'], 'at'> };
  const c = s.curve;
  const curve = { ...makeCurve(c.name, c.stepSeconds, c.values), ...(c.days !== undefined ? { days: c.days } : {}), ...(c.startMs !== undefined ? { startMs: c.startMs } : {}) };
  const configs = product(doc.vary.map(parseVary));
  return { scenario: { ...s, curve }, manifests: doc.manifests, vary: doc.vary, configs, ...(doc.days !== undefined ? { days: doc.days } : {}), ...(doc.growth !== undefined ? { growth: doc.growth } : {}) };
}

/** `i/n` as given to `--shard`: 0 ≤ i < n ≤ 10,000. */
export function parseShardSpec(spec: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !(count >= 1 && count <= 10_000) || !(index < count)) throw new UserError(`--shard ${spec}: expected i/n with 0 ≤ i < n ≤ 10000`, 'e.g. --shard 0/3 (a Job passes $(JOB_COMPLETION_INDEX)/3)');
  return { index, count };
}

/**
 * The configurations shard `index` of `count` runs: a contiguous block of the sweep's order, the
 * first `total mod count` blocks one longer. Blocks (rather than every n-th) keep a shard's output
 * already in the local order, so the merge is a concatenation checked index by index.
 */
export function shardRange(total: number, index: number, count: number): { start: number; end: number } {
  const base = Math.floor(total / count);
  const extra = total % count;
  const start = index * base + Math.min(index, extra);
  return { start, end: start + base + (index < extra ? 1 : 0) };
}

/** One configuration's result as a shard reports it. */
export interface ShardRow {
  index: number;
  summary: SimSummary;
  expectations: ExpectationVerdicts;
}

/** Runs one shard: the same simulation per configuration as `whatif-worker.ts`. */
export function runShard(input: DecodedShardInput, index: number, count: number): ShardRow[] {
  const scenario = input.growth && input.growth !== 1 ? { ...input.scenario, curve: growth(input.scenario.curve, input.growth) } : input.scenario;
  const base = systemFromScenario(scenario, input.manifests);
  const { start, end } = shardRange(input.configs.length, index, count);
  const out: ShardRow[] = [];
  for (let i = start; i < end; i++) out.push({ index: i, ...runConfig(scenario, applyConfig(base, input.configs[i]!), { ...(input.days !== undefined ? { days: input.days } : {}), stepping: 'event' }) });
  return out;
}

// JSON has no NaN, ±Infinity or -0; they travel as strings so the merged rows equal the local ones.
const enc = (v: number): number | string => (Number.isFinite(v) && !Object.is(v, -0) ? v : Object.is(v, -0) ? '-0' : String(v));
const dec = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));

/**
 * A shard's output, one line each: a header (format, shard, count, total, the summary's keys, the
 * number of expectations), one `[index, ...values, ...verdicts]` per configuration (a verdict is
 * true, false or null), and a trailer with the row count, so a truncated log is an error instead of
 * missing rows. Doubles round-trip exactly through JSON.
 */
export function encodeShardOutput(rows: ShardRow[], index: number, count: number, total: number): string {
  const keys = rows[0] ? Object.keys(rows[0].summary) : [];
  const expectations = rows[0]?.expectations.length ?? 0;
  const lines = [JSON.stringify({ format: SHARD_FORMAT, shard: index, shards: count, total, keys, expectations })];
  for (const r of rows) lines.push(JSON.stringify([r.index, ...keys.map((k) => enc((r.summary as unknown as Record<string, number>)[k]!)), ...r.expectations]));
  lines.push(JSON.stringify({ end: rows.length }));
  return lines.join('\n') + '\n';
}

export interface ShardOutput {
  shard: number;
  shards: number;
  total: number;
  rows: ShardRow[];
}

/** Reads a shard's output from text that may carry other lines around it (a pod log). */
export function parseShardOutput(text: string, where: string): ShardOutput {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`{"format":"${SHARD_FORMAT}"`));
  if (start < 0) throw new Error(`${where}: no shard output (no ${SHARD_FORMAT} header)`);
  const head = JSON.parse(lines[start]!) as { shard: number; shards: number; total: number; keys: string[]; expectations: number };
  const rows: ShardOutput['rows'] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const v = JSON.parse(lines[i]!) as unknown;
    if (!Array.isArray(v)) {
      const end = (v as { end?: number }).end;
      if (end !== rows.length) throw new Error(`${where}: trailer says ${end} rows, read ${rows.length}`);
      return { shard: head.shard, shards: head.shards, total: head.total, rows };
    }
    const summary = Object.fromEntries(head.keys.map((k, j) => [k, dec(v[j + 1])])) as unknown as SimSummary;
    const from = head.keys.length + 1;
    rows.push({ index: v[0] as number, summary, expectations: v.slice(from, from + head.expectations) as ExpectationVerdicts });
  }
  throw new Error(`${where}: output ends without its trailer (truncated after ${rows.length} rows)`);
}

/** The shards' rows as the local sweep returns them: every configuration once, in the sweep's order. */
export function mergeShards(configs: Config[], outputs: ShardOutput[]): SweepRow[] {
  const rows: (SweepRow | undefined)[] = new Array<SweepRow | undefined>(configs.length);
  for (const o of outputs) {
    if (o.total !== configs.length) throw new Error(`shard ${o.shard} swept ${o.total} configurations, this sweep has ${configs.length}`);
    for (const r of o.rows) {
      if (!(r.index >= 0 && r.index < configs.length)) throw new Error(`shard ${o.shard}: configuration index ${r.index} out of range`);
      if (rows[r.index]) throw new Error(`configuration ${r.index} came from two shards`);
      rows[r.index] = { config: configs[r.index]!, summary: r.summary, expectations: r.expectations };
    }
  }
  const missing = rows.findIndex((r) => !r);
  if (missing >= 0 || rows.length !== configs.length) throw new Error(`configuration ${missing} came from no shard`);
  return rows as SweepRow[];
}
