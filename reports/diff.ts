import { EXACT_SETTINGS, runMeasures, type RunBasis } from '../core/checks/measures.ts';
import { periodLabel } from '../core/prices.ts';
import type { Timeline } from '../core/timeline/format.ts';

/**
 * The policy diff for a pull request, pure: the same figures of a baseline run (e.g. the main
 * branch's timeline.jsonl) and of this run, side by side with the change, as a Markdown table. Every
 * figure is the measure of `core/checks/measures.ts`, measured with this run's basis (its
 * reactionTime expectation's cap and tolerance, its prices) on both sides.
 */

export interface RunFigures {
  peakReplicas: number;
  /** ECS and ECI ready pods at the sample with the most ready pods. */
  peakEcs: number;
  peakEci: number;
  eciPodHours: number;
  /** Costs in `currency` over `periodSeconds` of observed time; NaN without a cost basis. */
  ecsCost: number;
  eciCost: number;
  totalCost: number;
  currency: string;
  periodSeconds: number;
  sloCoveragePercent: number;
  /** The slowest rise of the needed level to the desired count, seconds; undefined when nothing rose. */
  slowestReactionSeconds: number | undefined;
  directionChanges: number;
}

export interface DiffRow {
  figure: string;
  before: string;
  after: string;
  change: string;
  /** -1 better, 0 same, 1 worse, undefined when neither (e.g. peak replicas). */
  verdict?: -1 | 0 | 1;
}

export interface DiffOptions {
  /** How the run is measured (reaction settings, cost basis); without a cost basis the cost rows are left out. */
  basis?: RunBasis;
}

export { directionChanges } from '../core/checks/measures.ts';

export function runFigures(tl: Timeline, o: DiffOptions = {}): RunFigures {
  const { measures: m, cost } = runMeasures(tl, o.basis ?? { settings: EXACT_SETTINGS });
  return {
    peakReplicas: m.peakReplicas,
    peakEcs: m.peakReady.ecs,
    peakEci: m.peakReady.eci,
    eciPodHours: m.eciPodHours,
    ecsCost: cost?.ecs ?? NaN,
    eciCost: cost?.eci ?? NaN,
    totalCost: cost?.total ?? NaN,
    currency: cost?.currency ?? '',
    periodSeconds: m.observedSeconds,
    sloCoveragePercent: m.sloCoveragePercent,
    slowestReactionSeconds: m.slowestReaction?.seconds,
    directionChanges: m.directionChanges,
  };
}

const signed = (d: number, digits: number) => `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(digits)}`;

/** One numeric row; `better` says which direction is an improvement. */
function row(figure: string, a: number, b: number, digits: number, better: 'lower' | 'higher' | 'none', unit = ''): DiffRow {
  const d = b - a;
  const same = Math.abs(d) < 0.5 * 10 ** -digits;
  const verdict = better === 'none' ? undefined : same ? 0 : (better === 'lower' ? d < 0 : d > 0) ? -1 : 1;
  return { figure, before: `${a.toFixed(digits)}${unit}`, after: `${b.toFixed(digits)}${unit}`, change: same ? '—' : `${signed(d, digits)}${unit}`, ...(verdict !== undefined ? { verdict } : {}) };
}

/**
 * The cost rows: the currency and period in the figure's name when both runs observed the same time
 * (the usual case: the same windows), else each cell with its own period.
 */
function costRows(a: RunFigures, b: RunFigures): DiffRow[] {
  const same = Math.abs(a.periodSeconds - b.periodSeconds) < 1;
  const unit = same ? ` (${a.currency}/${periodLabel(a.periodSeconds)})` : ` (${a.currency})`;
  const money = (x: RunFigures, v: number) => (same ? v.toFixed(2) : `${v.toFixed(2)} ${x.currency}/${periodLabel(x.periodSeconds)}`);
  const one = (name: string, va: number, vb: number): DiffRow => ({ ...row(`${name}${unit}`, va, vb, 2, 'lower'), before: money(a, va), after: money(b, vb) });
  return [one('ECS cost', a.ecsCost, b.ecsCost), one('ECI cost', a.eciCost, b.eciCost), one('total cost', a.totalCost, b.totalCost)];
}

/** Before (baseline) and after (this run), figure by figure, both measured with this run's basis. */
export function policyDiff(baseline: Timeline, current: Timeline, o: DiffOptions = {}): DiffRow[] {
  const a = runFigures(baseline, o);
  const b = runFigures(current, o);
  const rows = [
    row('peak replicas', a.peakReplicas, b.peakReplicas, 0, 'none'),
    { figure: 'ECS / ECI pods at peak', before: `${a.peakEcs} / ${a.peakEci}`, after: `${b.peakEcs} / ${b.peakEci}`, change: a.peakEcs === b.peakEcs && a.peakEci === b.peakEci ? '—' : `ECS ${signed(b.peakEcs - a.peakEcs, 0)}, ECI ${signed(b.peakEci - a.peakEci, 0)}` },
    row('ECI pod-hours', a.eciPodHours, b.eciPodHours, 2, 'lower'),
    ...(o.basis?.cost ? costRows(a, b) : []),
    row('SLO coverage', a.sloCoveragePercent, b.sloCoveragePercent, 1, 'higher', '%'),
  ];
  const ra = a.slowestReactionSeconds;
  const rb = b.slowestReactionSeconds;
  rows.push(ra !== undefined && rb !== undefined ? row('slowest reaction', ra, rb, 0, 'lower', ' s') : { figure: 'slowest reaction', before: ra === undefined ? 'no rise' : `${ra.toFixed(0)} s`, after: rb === undefined ? 'no rise' : `${rb.toFixed(0)} s`, change: '—' });
  rows.push(row('direction changes', a.directionChanges, b.directionChanges, 0, 'lower'));
  return rows;
}

const MARK = { [-1]: '🟢', 0: '', 1: '🔴' } as const;
const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The table for a pull-request comment. */
export function diffMarkdown(rows: DiffRow[], labels: { before: string; after: string }): string[] {
  return [
    `| | ${cell(labels.before)} | ${cell(labels.after)} | change |`,
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${cell(r.figure)} | ${cell(r.before)} | ${cell(r.after)} | ${cell(r.change)}${r.verdict ? ` ${MARK[r.verdict]}` : ''} |`),
  ];
}
