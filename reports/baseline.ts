import { dirname, resolve } from 'node:path';
import type { Expectation } from '../core/checks/expectations.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { readBaselineTimeline } from './index.ts';

/**
 * Which baseline a run compares against, the same for `replay` and `simulate`: `--baseline FILE`
 * wins, else the scenario's `baseline` expectation's `file:` (relative to the scenario file).
 */
export function baselineFileFor(scenario: { file: string; expectations: Expectation[] }, given?: string): string | undefined {
  if (given !== undefined) return given;
  const e = scenario.expectations.find((x) => x.type === 'baseline');
  return e?.type === 'baseline' && e.file !== undefined ? resolve(dirname(scenario.file), e.file) : undefined;
}

/** That baseline, read as a user file (unreadable or malformed: exit 2 naming it), or undefined. */
export async function readScenarioBaseline(scenario: { file: string; expectations: Expectation[] }, given?: string): Promise<Timeline | undefined> {
  const file = baselineFileFor(scenario, given);
  return file === undefined ? undefined : readBaselineTimeline(file);
}
