import { UserError } from '../core/errors.ts';
import type { SystemManifests } from '../kinds/system.ts';
import { makeCurve, type Scenario } from '../scenarios/index.ts';
import { systemFromScenario } from '../simulator/index.ts';
import { dayScenario, fromDayData, onDays, type DayData } from './days.ts';
import { applyCandidate, outcomeOf } from './evaluate.ts';
import { search, type Candidate, type Found, type Grid, type SearchResult } from './search.ts';

/**
 * The advise search split into shards that run anywhere (an Indexed Job's pods, `advise
 * --on-cluster`), pure: the one input every shard reads (the loaded scenario with its curve as
 * data, the resolved manifests, the grid, the bar, the seed, the history's days), a shard's part of
 * the search (the worker threads' split by ECS pool size, `search`'s `part`) and the one line it prints.
 */

export const ADVISE_SHARD_FORMAT = 'ebbflow-advise-shard/v1';

export interface AdviseShardInput {
  /** As the command holds it: its curve already × growth. */
  scenario: Scenario;
  manifests: SystemManifests;
  grid: Grid;
  minSlo: number;
  seed: Found | null;
  /** The history's days searched on; absent: the scenario's own curve. */
  days?: DayData[] | undefined;
  /** Multiplies each of `days`. */
  growth?: number | undefined;
}

/** The input as one JSON document; the curve's `at` is code, so only its data travels. */
export function encodeAdviseInput(i: AdviseShardInput): string {
  const { at: _at, ...curve } = i.scenario.curve;
  return JSON.stringify({ format: ADVISE_SHARD_FORMAT, ...i, scenario: { ...i.scenario, curve } });
}

export function decodeAdviseInput(text: string, where = 'advise shard input'): AdviseShardInput {
  let doc: AdviseShardInput & { format?: unknown };
  try {
    doc = JSON.parse(text) as AdviseShardInput & { format?: unknown };
  } catch (e) {
    throw new UserError(`${where}: not JSON (${(e as Error).message})`, 'it is written by `ebbflow advise --on-cluster`; do not edit it');
  }
  if (doc?.format !== ADVISE_SHARD_FORMAT) throw new UserError(`${where}: format is ${JSON.stringify(doc?.format)}, want ${ADVISE_SHARD_FORMAT}`, 'run the same ebbflow version (image) that wrote it');
  const c = doc.scenario.curve;
  const curve = { ...makeCurve(c.name, c.stepSeconds, c.values), ...(c.days !== undefined ? { days: c.days } : {}), ...(c.startMs !== undefined ? { startMs: c.startMs } : {}) };
  const { format: _f, ...input } = doc;
  return { ...input, scenario: { ...doc.scenario, curve } };
}

/** Shard `index` of `of`: the search's part, evaluated as the local worker threads evaluate (advise/worker.ts). */
export function runAdviseShard(i: AdviseShardInput, index: number, of: number): SearchResult {
  const scenario = i.scenario;
  const base = systemFromScenario(scenario, i.manifests);
  const evaluate = i.days ? onDays(i.days.map((d) => dayScenario(scenario, fromDayData(d), i.growth)), (s, c) => outcomeOf(s, applyCandidate(base, c), {})) : (c: Candidate) => outcomeOf(scenario, applyCandidate(base, c), {});
  return search(i.grid, evaluate, { minSlo: i.minSlo, seed: i.seed, part: { index, of } });
}

/** What a shard prints: one line, its part named, so a log from another shard or a cut log is an error, not a wrong answer. */
export const encodeAdviseOutput = (r: SearchResult, index: number, of: number): string => `${JSON.stringify({ format: ADVISE_SHARD_FORMAT, part: { index, of }, result: r })}\n`;

export function parseAdviseOutput(text: string, index: number, of: number, where: string): SearchResult {
  const line = text.trim().split('\n').at(-1) ?? '';
  let doc: { format?: unknown; part?: { index?: unknown; of?: unknown }; result?: SearchResult };
  try {
    doc = JSON.parse(line) as typeof doc;
  } catch {
    throw new Error(`${where}: its log does not end with an advise shard's result line (cut or rotated?)`);
  }
  if (doc.format !== ADVISE_SHARD_FORMAT || doc.part?.index !== index || doc.part?.of !== of || !doc.result) throw new Error(`${where}: not the result of advise shard ${index}/${of}`);
  return doc.result;
}
