import { join } from 'node:path';
import type { CheckResult } from '../core/checks/expectations.ts';
import { noiselessNumbers } from '../core/json.ts';
import { readTimeline, timelineToJsonl } from '../core/timeline/io.ts';
import { makeOutputDir, readUserFile, writeOutputFile } from '../core/files.ts';
import { UserError } from '../core/errors.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { toHtml, type HtmlOptions } from './html.ts';
import { toJUnit } from './junit.ts';
import { toMarkdown } from './markdown.ts';
import { simAgreement } from './agreement.ts';
import { policyDiff } from './diff.ts';
import { EXACT_SETTINGS, runMeasures } from '../core/checks/measures.ts';

export { toHtml, toJUnit, toMarkdown };
export { policyDiff, runFigures, diffMarkdown, type DiffRow, type RunFigures } from './diff.ts';

/** A baseline timeline the user named (--baseline); unreadable or malformed is their error (exit 2). */
export async function readBaselineTimeline(file: string): Promise<Timeline> {
  await readUserFile(file, 'baseline timeline', 'give the timeline.jsonl of an earlier run');
  try {
    return await readTimeline(file);
  } catch (e) {
    throw new UserError(`cannot read baseline ${file}: ${(e as Error).message}`, 'give a timeline.jsonl written by an earlier replay or simulate (--baseline FILE)');
  }
}

export interface ReportFiles {
  html: string;
  junit: string;
  markdown: string;
  timeline: string;
  results: string;
  /** The simulator's timeline, when one was given (`sim`). */
  simTimeline?: string;
}

/**
 * Writes report.html, junit.xml, summary.md, timeline.jsonl and results.json into `dir`; with `sim`
 * (the simulator's run of the same scenario) also sim-timeline.jsonl, the overlay and the agreement.
 * Each file is replaced, never written through (a symlink at `out/report.html` stays untouched).
 */
export function writeReports(dir: string, tl: Timeline, results: CheckResult[], opts: HtmlOptions & { errors?: string[] } = {}): ReportFiles {
  makeOutputDir(dir);
  const files: ReportFiles = {
    html: join(dir, 'report.html'),
    junit: join(dir, 'junit.xml'),
    markdown: join(dir, 'summary.md'),
    timeline: join(dir, 'timeline.jsonl'),
    results: join(dir, 'results.json'),
  };
  writeOutputFile(files.timeline, timelineToJsonl(tl));
  if (opts.sim) {
    files.simTimeline = join(dir, 'sim-timeline.jsonl');
    writeOutputFile(files.simTimeline, timelineToJsonl(opts.sim));
  }
  // The run's figures as summary.md prints them (every rise's reaction left out: a week has hundreds).
  const { measures: { reactions: _reactions, ...measures }, cost } = runMeasures(tl, opts.basis ?? { settings: EXACT_SETTINGS });
  const summary = { scenario: tl.meta.scenario, passed: results.every((r) => r.passed), results, warnings: opts.warnings ?? [], figures: { ...measures, ...(cost ? { cost } : {}) }, ...(opts.sim ? { simAgreement: simAgreement(tl, opts.sim) } : {}), ...(opts.baseline ? { baselineDiff: policyDiff(opts.baseline, tl, opts) } : {}) };
  writeOutputFile(files.results, JSON.stringify(summary, noiselessNumbers, 2) + '\n');
  writeOutputFile(files.junit, toJUnit(tl.meta.scenario, results, opts.wallSeconds ?? 0, { errors: opts.errors }));
  writeOutputFile(files.markdown, toMarkdown(tl, results, opts));
  writeOutputFile(files.html, toHtml(tl, results, opts));
  return files;
}
