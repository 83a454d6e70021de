import type { Logger } from 'pino';
import { checkAll } from '../../../core/checks/checks.ts';
import type { CheckResult } from '../../../core/checks/expectations.ts';
import type { StopFailure } from '../../../core/component.ts';
import { errorMessage } from '../../../core/errors.ts';
import type { Timeline, TimelineEvent, TimelineMeta, TimelineSample } from '../../../core/timeline/format.ts';
import { writeReports, type ReportFiles } from '../../../reports/index.ts';
import { runBasis } from '../../../simulator/index.ts';
import { figuresLine } from '../../../reports/markdown-figures.ts';
import type { TimelineComponent } from '../components/timeline.ts';
import { timelineMeta, type ReplayPlan } from '../plan.ts';

export interface ReplayResult {
  results: CheckResult[];
  passed: boolean;
  interrupted: boolean;
  files: ReportFiles;
  wallSeconds: number;
  warnings: string[];
  timeline: Timeline;
  /** The baseline run compared against (--baseline or the baseline expectation's file). */
  baseline?: Timeline;
  /** The run's figures in one line, cost with its currency and period, as summary.md prints them. */
  figures?: string;
}

/** What stopping left behind, as the report's errors (and the log's warnings). */
export function stopProblems(failures: StopFailure[], log: Logger | undefined): string[] {
  for (const f of failures) log?.warn({ component: f.component, err: errorMessage(f.error) }, 'teardown failed');
  return failures.map((f) => `teardown: ${f.component} did not stop cleanly: ${errorMessage(f.error)}`);
}

/** Checks and reports over what was recorded, also for an interrupted or failed replay. */
export function report(plan: ReplayPlan, out: string, timeline: TimelineComponent, r: { interrupted: boolean; failure: unknown; teardown: string[]; wallSeconds: number }): ReplayResult {
  const records = timeline.records;
  // Interrupted before the timeline started: the report still says what was planned.
  const meta = records.find((x): x is TimelineMeta => x.kind === 'meta') ?? timelineMeta(plan);
  const samples = records.filter((x): x is TimelineSample => x.kind === 'sample');
  const events = records.filter((x): x is TimelineEvent => x.kind === 'event');
  const errors: string[] = [...r.teardown];
  if (r.interrupted) meta.notes.push(`interrupted after ${r.wallSeconds.toFixed(0)} s wall; the report covers what was recorded`);
  if (r.failure) {
    errors.push(errorMessage(r.failure));
    meta.notes.push(`replay failed: ${errorMessage(r.failure)}`);
  }
  const tl: Timeline = { meta: { ...meta, end: samples.at(-1)?.t ?? meta.end }, samples, events };
  // The same basis as the simulator's: reaction measured as the expectation checks it, the scenario's prices.
  const basis = runBasis(plan.scenario, plan.system);
  const results = checkAll(tl, plan.scenario.expectations, plan.baseline, basis.tiers, basis);
  const files = writeReports(out, tl, results, { wallSeconds: r.wallSeconds, warnings: plan.warnings, basis, ...(plan.baseline ? { baseline: plan.baseline } : {}), ...(errors.length ? { errors } : {}) });
  if (r.failure) throw Object.assign(r.failure as Error, { reports: files });
  return { results, passed: results.every((x) => x.passed), interrupted: r.interrupted, files, wallSeconds: r.wallSeconds, warnings: plan.warnings, timeline: tl, figures: figuresLine(tl, basis), ...(plan.baseline ? { baseline: plan.baseline } : {}) };
}
