import type { Expectation } from '../core/checks/expectations.ts';
import { frontier as frontierOf, type SweepRow } from '../simulator/sweep.ts';

/**
 * What a planner reads of a what-if sweep, pure: each configuration judged (the scenario's
 * expectations and `--min-slo`), the columns of results.csv and frontier.csv with their units in
 * their names, the cost vs SLO coverage frontier, the cheapest passing configuration, and notes on
 * what the figures cannot say (a coverage capped by maxReplicas, expectations not judged).
 */

export interface WhatifInput {
  scenario: string;
  /** The --vary keys, in the order given: the configuration's columns. */
  keys: string[];
  rows: SweepRow[];
  /** The scenario's expectations, in the order the rows' verdicts follow. */
  expectations: Expectation[];
  /** --min-slo: the SLO coverage (%) a configuration must reach, besides the expectations. */
  minSlo?: number;
  currency: string;
  /** Where the prices come from (region, source), for people. */
  prices?: string;
  /** What was simulated, for people: "windows 06:30–08:00, 22:30–24:00 Asia/Shanghai" or "1 day from 00:00 UTC". */
  span: string;
}

export interface JudgedRow extends SweepRow {
  /** Every judged expectation passed and the coverage reached --min-slo. */
  passes: boolean;
  /** Column names of what failed (`expect2_reactionTime`, `min_slo`). */
  failed: string[];
  onFrontier: boolean;
}

/** `expect<N>_<type>`: one column per expectation, numbered from 1 as the scenario lists them. */
export function expectationColumns(expectations: Expectation[]): string[] {
  return expectations.map((e, i) => `expect${i + 1}_${e.type}`);
}

export function judge(w: WhatifInput): JudgedRow[] {
  const names = expectationColumns(w.expectations);
  const front = new Set(frontierOf(w.rows));
  return w.rows.map((r) => {
    const failed = names.filter((_, i) => r.expectations[i] === false);
    if (w.minSlo !== undefined && !(r.summary.sloCoveragePercent >= w.minSlo)) failed.push('min_slo');
    return { ...r, passes: failed.length === 0, failed, onFrontier: front.has(r) };
  });
}

/** The CSV's columns: the configuration, the verdict, the figures (units in the names), then one per check. */
export function csvHeader(w: WhatifInput): string[] {
  const cur = w.currency.toLowerCase();
  return [
    ...w.keys,
    'passes',
    'slo_coverage_pct',
    `cost_${cur}`,
    `cost_ecs_${cur}`,
    `cost_eci_${cur}`,
    'simulated_h',
    'peak_replicas',
    'at_min_replicas_pct',
    'at_max_replicas_pct',
    'eci_pod_hours',
    'slowest_reaction_s',
    'direction_changes',
    ...(w.minSlo !== undefined ? ['min_slo'] : []),
    ...expectationColumns(w.expectations),
  ];
}

const verdict = (v: boolean | null | undefined) => (v === true ? 'pass' : v === false ? 'fail' : 'n/a');

export function csvCells(w: WhatifInput, r: JudgedRow): string[] {
  const s = r.summary;
  return [
    ...w.keys.map((k) => String(r.config[k as keyof SweepRow['config']] ?? '')),
    r.passes ? 'yes' : 'no',
    s.sloCoveragePercent.toFixed(2),
    s.costTotal.toFixed(2),
    s.costEcs.toFixed(2),
    s.costEci.toFixed(2),
    (s.seconds / 3600).toFixed(2),
    String(s.peakReplicas),
    s.atMinReplicasPercent.toFixed(2),
    s.atMaxReplicasPercent.toFixed(2),
    s.eciPodHours.toFixed(2),
    // Empty when the need never rose in the simulated time (nothing to react to).
    Number.isNaN(s.slowestReactionSeconds) ? '' : s.slowestReactionSeconds.toFixed(0),
    String(s.directionChanges),
    ...(w.minSlo !== undefined ? [verdict(s.sloCoveragePercent >= w.minSlo)] : []),
    ...w.expectations.map((_, i) => verdict(r.expectations[i])),
  ];
}

/** RFC 4180: a cell with a comma, quote or line break is quoted (the cells here never have one, a future key might). */
const csvCell = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);

export function toCsv(w: WhatifInput, rows: JudgedRow[]): string {
  return [csvHeader(w), ...rows.map((r) => csvCells(w, r))].map((l) => l.map(csvCell).join(',')).join('\n') + '\n';
}

const configText = (keys: string[], r: SweepRow) => keys.map((k) => `${k}=${r.config[k as keyof SweepRow['config']]}`).join(' ');

/** Lines a person reads after the table: what passed, the cheapest that did, and what the figures cannot say. */
export function whatifNotes(w: WhatifInput, judged: JudgedRow[]): string[] {
  const out: string[] = [];
  const passing = judged.filter((r) => r.passes);
  const judgedCount = w.expectations.filter((e) => e.type !== 'baseline').length;
  const against = [judgedCount ? `${judgedCount} expectation(s) of the scenario` : '', w.minSlo !== undefined ? `--min-slo ${w.minSlo}%` : ''].filter(Boolean).join(' and ');
  if (!against) out.push('nothing to pass: the scenario has no expectations and no --min-slo was given, so every configuration passes');
  else out.push(`${passing.length} of ${judged.length} configurations pass ${against}`);
  const cheapest = frontierOf(passing)[0];
  if (cheapest) out.push(`cheapest passing: ${configText(w.keys, cheapest)} — ${cheapest.summary.costTotal.toFixed(2)} ${w.currency}, SLO coverage ${cheapest.summary.sloCoveragePercent.toFixed(2)}%`);
  else if (against) out.push('no configuration passes: widen the ranges (e.g. a higher maxReplicas or a lower target) or relax the expectations');
  const capped = judged.filter((r) => r.onFrontier && r.summary.atMaxReplicasPercent > 0);
  if (capped.length) out.push(`${capped.length} frontier configuration(s) sat at maxReplicas while more replicas were needed (at_max_replicas_pct > 0): their coverage is capped by maxReplicas, not set by what was varied — configurations that differ only below that cap tie`);
  const floored = judged.filter((r) => r.onFrontier && r.summary.atMinReplicasPercent > 0);
  if (floored.length) out.push(`${floored.length} frontier configuration(s) sat at minReplicas while fewer were needed (at_min_replicas_pct > 0): minReplicas, not the load, set part of their cost`);
  const skipped = w.expectations.map((e, i) => (e.type === 'baseline' ? `expect${i + 1}_baseline` : '')).filter(Boolean);
  if (skipped.length) out.push(`${skipped.join(', ')}: not judged in a sweep (a baseline compares one run with a recorded one; run simulate --baseline on the configuration you pick)`);
  return out;
}

/** The frontier as frontier.json carries it: the judged rows, with what they were judged against. */
export function frontierJson(w: WhatifInput, judged: JudgedRow[], extra: Record<string, unknown>): string {
  const front = judged.filter((r) => r.onFrontier).sort((a, b) => a.summary.costTotal - b.summary.costTotal);
  return JSON.stringify({
    scenario: w.scenario,
    span: w.span,
    ...extra,
    currency: w.currency,
    ...(w.minSlo !== undefined ? { minSloPercent: w.minSlo } : {}),
    expectations: w.expectations.map((e, i) => ({ column: expectationColumns(w.expectations)[i], ...e })),
    passing: judged.filter((r) => r.passes).length,
    configurations: judged.length,
    frontier: front.map((r) => ({ config: r.config, passes: r.passes, failed: r.failed, summary: r.summary, expectations: r.expectations })),
  }, null, 2) + '\n';
}
