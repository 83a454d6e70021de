import { scaleDownOrderViolation } from '../core/checks/checks.ts';
import type { CheckResult } from '../core/checks/expectations.ts';
import { runMeasures, tierFigures, type RunBasis } from '../core/checks/measures.ts';
import { tierName, timelineTiers } from '../core/checks/tiers.ts';
import { periodLabel } from '../core/prices.ts';
import { DEFAULT_TIME_ZONE, formatClock } from '../core/time-zone.ts';
import type { Timeline } from '../core/timeline/format.ts';
import type { Aspect, Converter } from './convert.ts';

/** One of the two runs compared: its timeline, how it is measured (with its placement's tiers) and its checks. */
export interface RunView {
  /** The placement kind that ran, e.g. `ElasticWorkload`. */
  kind: string;
  timeline: Timeline;
  basis: RunBasis;
  results: CheckResult[];
}

/**
 * What counts as a difference rather than the noise of two runs of one scenario: one HPA sync
 * (15 s) of reaction, half a point of SLO coverage, 2 % (and a cent) of money or pod-hours.
 */
export const NOISE = { reactionSeconds: 15, sloPoints: 0.5, share: 0.02, money: 0.01 } as const;

/** Every figure the table shows, each a measure of `core/checks/measures.ts` with the run's basis. */
export function figuresOf(r: RunView) {
  const tiers = r.basis.tiers ?? timelineTiers();
  const { measures, cost } = runMeasures(r.timeline, r.basis);
  const violation = scaleDownOrderViolation(r.timeline, tiers);
  const zone = r.timeline.meta.timeZone ?? DEFAULT_TIME_ZONE;
  return {
    tiers: tierFigures(r.timeline, tiers),
    scaleDownOrder: violation ? `violated: ${tierName(tiers, 0)} pod ${violation.object} deleted at ${formatClock(violation.t, zone, true)} while more expensive pods lived` : 'kept',
    reaction: measures.slowestReaction,
    slo: measures.sloCoveragePercent,
    cost,
    observedSeconds: measures.observedSeconds,
  };
}
type Figures = ReturnType<typeof figuresOf>;

const differs = (a: number, b: number, abs: number) => Math.abs(a - b) > Math.max(abs, NOISE.share * Math.max(Math.abs(a), Math.abs(b)));
const reactionText = (f: Figures) => (f.reaction ? `${f.reaction.seconds.toFixed(0)} s${f.reaction.reached ? '' : ' (never reached)'}` : 'no rise');

/** What the figures of an aspect were in two runs, in words. */
function said(aspect: Aspect, a: Figures, b: Figures): string {
  switch (aspect) {
    case 'tiers':
      return Array.from({ length: Math.max(a.tiers.length, b.tiers.length) }, (_, i) => `tier ${i}: peak ${a.tiers[i]?.peakReplicas ?? '-'} against ${b.tiers[i]?.peakReplicas ?? '-'} replicas, ${a.tiers[i]?.podHours.toFixed(2) ?? '-'} against ${b.tiers[i]?.podHours.toFixed(2) ?? '-'} pod-hours`).join('; ');
    case 'scaleDownOrder':
      return `scale-down order ${a.scaleDownOrder} against ${b.scaleDownOrder}`;
    case 'reaction':
      return `slowest reaction ${reactionText(a)} against ${reactionText(b)}`;
    case 'slo':
      return `SLO coverage ${a.slo.toFixed(1)} % against ${b.slo.toFixed(1)} %`;
    case 'cost':
      return a.cost && b.cost ? `ECI cost ${a.cost.eci.toFixed(2)} against ${b.cost.eci.toFixed(2)} ${a.cost.currency}` : 'no prices';
  }
}

/** Which aspects differ beyond the noise. */
function differing(a: Figures, b: Figures): Aspect[] {
  const out: Aspect[] = [];
  const tierDiffers = (i: number) => !a.tiers[i] || !b.tiers[i] || a.tiers[i]!.peakReplicas !== b.tiers[i]!.peakReplicas || differs(a.tiers[i]!.podHours, b.tiers[i]!.podHours, NOISE.money);
  if (Array.from({ length: Math.max(a.tiers.length, b.tiers.length) }, (_, i) => i).some(tierDiffers)) out.push('tiers');
  if ((a.scaleDownOrder === 'kept') !== (b.scaleDownOrder === 'kept')) out.push('scaleDownOrder');
  if (Math.abs((a.reaction?.seconds ?? 0) - (b.reaction?.seconds ?? 0)) > NOISE.reactionSeconds || !!a.reaction?.reached !== !!b.reaction?.reached) out.push('reaction');
  if (Math.abs(a.slo - b.slo) > NOISE.sloPoints) out.push('slo');
  if (a.cost && b.cost && differs(a.cost.eci, b.cost.eci, NOISE.money)) out.push('cost');
  return out;
}

function tableRows(a: Figures, b: Figures, ra: RunView, rb: RunView): string[][] {
  const n = Math.max(a.tiers.length, b.tiers.length);
  const tierRows: string[][] = [];
  const named = (f: Figures, i: number) => (f.tiers[i] ? `${f.tiers[i]!.name}` : '-');
  for (let i = 0; i < n; i++) {
    const node = (a.tiers[i] ?? b.tiers[i])!.node.toUpperCase();
    tierRows.push([`tier ${i} (${node}): peak replicas`, `${a.tiers[i]?.peakReplicas ?? '-'} (${named(a, i)})`, `${b.tiers[i]?.peakReplicas ?? '-'} (${named(b, i)})`]);
    tierRows.push([`tier ${i} (${node}): pod-hours`, a.tiers[i]?.podHours.toFixed(2) ?? '-', b.tiers[i]?.podHours.toFixed(2) ?? '-']);
  }
  const money = a.cost && b.cost ? `${a.cost.currency}/${periodLabel(a.observedSeconds)}` : '';
  const costRows: string[][] = a.cost && b.cost
    ? [
        [`ECI cost (${money})`, a.cost.eci.toFixed(2), b.cost.eci.toFixed(2)],
        ...Array.from({ length: n }, (_, i) => [`cost of tier ${i} (${money})`, a.cost?.perTier?.[i]?.amount.toFixed(2) ?? '-', b.cost?.perTier?.[i]?.amount.toFixed(2) ?? '-']),
        [`total cost (${money})${a.cost.ecsEstimated ? ', ECS price estimated' : ''}`, a.cost.total.toFixed(2), b.cost.total.toFixed(2)],
      ]
    : [];
  const verdict = (r?: CheckResult) => (r ? (r.passed ? 'pass' : `**FAIL**: ${r.message}`) : '-');
  return [
    ...tierRows,
    ['scale-down order (most expensive tier first)', a.scaleDownOrder, b.scaleDownOrder],
    ['slowest reaction', reactionText(a), reactionText(b)],
    ['SLO coverage', `${a.slo.toFixed(1)} %`, `${b.slo.toFixed(1)} %`],
    ...costRows,
    ...ra.results.map((r, i) => [`expectation ${r.name}`, verdict(r), verdict(rb.results[i])]),
  ];
}

export interface Comparison {
  markdown: string;
  /** The successor met every expectation. */
  passed: boolean;
  /** The figures that differ beyond the noise, each with why. */
  differences: string[];
}

/**
 * The side-by-side table of the current placement's run and the successor's on one scenario, and
 * where they differ and why: every difference beyond the noise with the converter's reason, then
 * how the successor scales in and what the conversion left behind. With `simulated` (both runs in
 * the simulator too), each difference also says what the simulator measured.
 */
export function compareRuns(current: RunView, successor: RunView, converter: Converter, o: { scenario: string; how: string; notCarried: readonly string[]; overridden: readonly string[]; simulated?: readonly [RunView, RunView] }): Comparison {
  const a = figuresOf(current);
  const b = figuresOf(successor);
  // The simulator models both splits without any controller's timing: where it agrees with itself, a replay's difference is timing.
  const sim = o.simulated && ([figuresOf(o.simulated[0]), figuresOf(o.simulated[1])] as const);
  const diffs = differing(a, b).map((aspect) => `${said(aspect, a, b)} — ${converter.why[aspect]}${sim ? `; simulated, ${said(aspect, sim[0], sim[1])}` : ''}.`);
  const passed = successor.results.every((r) => r.passed);
  const rows = tableRows(a, b, current, successor);
  const lines = [
    `# ebbflow migrate --to ${converter.target}: ${current.kind} → ${successor.kind}`,
    '',
    `${passed ? '✅' : '❌'} The ${successor.kind} ${passed ? 'met every expectation' : 'failed an expectation'} of ${o.scenario} (${o.how}); the ${current.kind} ${current.results.every((r) => r.passed) ? 'met every one' : 'failed one'}.`,
    '',
    `| | ${current.kind} (current) | ${successor.kind} |`,
    '|---|---|---|',
    ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
    '## Where they differ and why',
    '',
    ...(diffs.length ? diffs.map((d) => `- ${d}`) : [`- No figure differs beyond the noise of two runs (${NOISE.reactionSeconds} s of reaction, ${NOISE.sloPoints} point of coverage, ${NOISE.share * 100} % of pod-hours or money).`]),
    `- How it scales in: ${converter.why.scaleDownOrder}.`,
    ...o.notCarried.map((n) => `- Not carried over: ${n}.`),
    ...o.overridden.map((f) => `- The scenario's ${f} is written into the ${successor.kind} (the successor has no such override).`),
    '',
  ];
  return { markdown: lines.join('\n'), passed, differences: diffs };
}
