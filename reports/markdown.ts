import type { CheckResult } from '../core/checks/expectations.ts';
import { EXACT_SETTINGS } from '../core/checks/measures.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { describeAgreement, simAgreement } from './agreement.ts';
import { diffMarkdown, policyDiff, type DiffOptions } from './diff.ts';
import { describeLag } from './lag.ts';
import { figuresLine } from './markdown-figures.ts';
import { timelineWindows, timelineZone, wallLabel, windowLabelIn } from './windows.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Samples the recorder read late (a busy machine): their state is of a later instant than their time. */
function lateLine(tl: Timeline): string[] {
  const late = tl.samples.map((s) => s.lateSeconds ?? 0).filter((x) => x > 0);
  if (late.length === 0) return [];
  return ['', `${late.length} of ${tl.samples.length} samples were read late (up to ${Math.max(...late).toFixed(1)} virtual s after their time): the machine could not keep up with k=${tl.meta.compression}.`];
}

/** A summary short enough for a pull-request comment. */
export function toMarkdown(tl: Timeline, results: CheckResult[], opts: { wallSeconds?: number; warnings?: string[]; sim?: Timeline; baseline?: Timeline } & DiffOptions = {}): string {
  const failed = results.filter((r) => !r.passed);
  const interrupted = tl.meta.notes.some((n) => n.startsWith('interrupted'));
  // The zone once, after the last window: "06:30–08:00, 22:30–24:00 Asia/Shanghai".
  const windows = timelineWindows(tl).map(windowLabelIn(timelineZone(tl), false)).map((w, i, all) => (i === all.length - 1 ? `${w} ${timelineZone(tl)}` : w));
  const verdict = failed.length === 0 ? '✅ all expectations met' : `❌ ${failed.length} of ${results.length} expectations failed`;
  const lines = [
    `### ebbflow: ${tl.meta.scenario} — ${interrupted ? `⏸ interrupted, partial (${verdict.replace(/^\S+ /, '')} so far)` : verdict}`,
    '',
    `${tl.meta.source === 'cluster' ? `Replayed on a real control plane at k=${tl.meta.compression}` : 'Simulated'}: ${windows.length > 1 ? `windows ${windows.join(', ')} virtual (back to back, gaps skipped)` : `${windows[0]} virtual`}${opts.wallSeconds !== undefined ? ` in ${wallLabel(opts.wallSeconds)} wall` : ''}.`,
    figuresLine(tl, opts.basis ?? { settings: EXACT_SETTINGS }),
    ...(opts.baseline ? ['', `**Before / after** (baseline: ${cell(opts.baseline.meta.scenario)}, ${opts.baseline.meta.source === 'cluster' ? 'replay' : 'simulator'}; this run: ${tl.meta.source === 'cluster' ? 'replay' : 'simulator'})`, '', ...diffMarkdown(policyDiff(opts.baseline, tl, opts), { before: 'baseline', after: 'this change' })] : []),
    ...(tl.meta.source === 'cluster' && describeLag(tl) ? [describeLag(tl)!] : []),
    ...(opts.sim ? ['', `Simulator agreement (same scenario, aligned on the start): ${simAgreement(tl, opts.sim).map(describeAgreement).join('; ')}.`] : []),
    ...lateLine(tl),
    '',
    '| | expectation | result |',
    '|---|---|---|',
    ...results.map((r) => `| ${r.passed ? '✅' : '❌'} | ${cell(r.name)} | ${cell(r.message)} |`),
  ];
  if (opts.warnings?.length) lines.push('', '**Fidelity warnings**', '', ...opts.warnings.map((w) => `- ${w}`));
  const notes = tl.meta.notes.filter((n) => !n.startsWith('fidelity: '));
  if (notes.length) lines.push('', '**Notes**', '', ...notes.map((n) => `- ${n}`));
  const constants = Object.entries(tl.meta.constants);
  if (constants.length) {
    lines.push('', `<details><summary>Time constants (virtual s → wall s at k=${tl.meta.compression})</summary>`, '');
    for (const [k, v] of constants) lines.push(`- ${k}: ${v} → ${(v / tl.meta.compression).toFixed(3)}`);
    lines.push('', '</details>');
  }
  return lines.join('\n') + '\n';
}
