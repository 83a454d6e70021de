import { eciPodHours, reactionTimes, sloCoverage } from '../core/checks/checks.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { DEFAULT_COST, eciCost, type CostModel } from '../simulator/cost.ts';

/**
 * The policy diff for a pull request, pure: the same figures of a baseline run (e.g. the main
 * branch's timeline.jsonl) and of this run, side by side with the change, as a Markdown table.
 */

export interface RunFigures {
  peakReplicas: number;
  /** ECS and ECI ready pods at the sample with the most ready pods. */
  peakEcs: number;
  peakEci: number;
  eciPodHours: number;
  eciCost: number;
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
  /** Requests of one pod (ECI bills requested vCPU and memory); without them the cost row is left out. */
  pod?: { vcpu: number; memoryGiB: number };
  cost?: CostModel;
}

/** Replicas the HPA's target runs: the ElasticWorkload's, or the workload's own when there is none. */
const replicas = (s: Timeline['samples'][number]) => (s.ew.replicas > 0 ? s.ew.replicas : s.hpa.current);

export function directionChanges(tl: Timeline): number {
  let last = 0;
  let n = 0;
  for (const e of tl.events) {
    if (e.type !== 'hpa.rescale' || e.from === undefined || e.to === undefined || e.to === e.from) continue;
    const dir = Math.sign(e.to - e.from);
    if (last !== 0 && dir !== last) n++;
    last = dir;
  }
  return n;
}

export function runFigures(tl: Timeline, o: DiffOptions = {}): RunFigures {
  const peakSample = tl.samples.reduce<Timeline['samples'][number] | undefined>((m, s) => (!m || s.pods.ecs.ready + s.pods.eci.ready > m.pods.ecs.ready + m.pods.eci.ready ? s : m), undefined);
  const hours = eciPodHours(tl);
  const reactions = reactionTimes(tl);
  const pod = o.pod;
  return {
    peakReplicas: tl.samples.reduce((m, s) => Math.max(m, replicas(s)), 0),
    peakEcs: peakSample?.pods.ecs.ready ?? 0,
    peakEci: peakSample?.pods.eci.ready ?? 0,
    eciPodHours: hours,
    eciCost: pod ? eciCost(o.cost ?? DEFAULT_COST, hours * 3600, pod.vcpu, pod.memoryGiB) : NaN,
    sloCoveragePercent: sloCoverage(tl),
    slowestReactionSeconds: reactions.length ? Math.max(...reactions.map((r) => r.seconds)) : undefined,
    directionChanges: directionChanges(tl),
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

/** Before (baseline) and after (this run), figure by figure. */
export function policyDiff(baseline: Timeline, current: Timeline, o: DiffOptions = {}): DiffRow[] {
  const a = runFigures(baseline, o);
  const b = runFigures(current, o);
  const currency = (o.cost ?? DEFAULT_COST).currency;
  const rows = [
    row('peak replicas', a.peakReplicas, b.peakReplicas, 0, 'none'),
    { figure: 'ECS / ECI pods at peak', before: `${a.peakEcs} / ${a.peakEci}`, after: `${b.peakEcs} / ${b.peakEci}`, change: a.peakEcs === b.peakEcs && a.peakEci === b.peakEci ? '—' : `ECS ${signed(b.peakEcs - a.peakEcs, 0)}, ECI ${signed(b.peakEci - a.peakEci, 0)}` },
    row('ECI pod-hours', a.eciPodHours, b.eciPodHours, 2, 'lower'),
    ...(o.pod ? [row(`ECI cost (${currency})`, a.eciCost, b.eciCost, 2, 'lower')] : []),
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
