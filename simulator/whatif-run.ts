import { check } from '../core/checks/checks.ts';
import type { Scenario } from '../scenarios/index.ts';
import { simulate, type SimSummary, type Stepping } from './simulate.ts';
import type { SystemConfig } from './system.ts';

/**
 * One configuration of a what-if sweep, as the local workers and the cluster's shards both run it:
 * the simulation's summary and the scenario's expectations judged on its timeline, so a planner
 * sees which configurations pass, not only what they cost. Pure.
 */

/** Per scenario expectation, in order: passed or failed; null where a sweep cannot judge it (a baseline needs a timeline of its own). */
export type ExpectationVerdicts = (boolean | null)[];

export interface ConfigRun {
  summary: SimSummary;
  expectations: ExpectationVerdicts;
}

/** Whether a sweep judges this expectation: a baseline compares with a recorded run, which a sweep has not. */
export const judgedInSweep = (e: Scenario['expectations'][number]): boolean => e.type !== 'baseline';

/**
 * Simulates one configuration. The timeline (the expensive part: several times a summary's cost) is
 * built only when the scenario has expectations to judge on it, and dropped after.
 */
export function runConfig(scenario: Scenario, sys: SystemConfig, opts: { days?: number; stepping?: Stepping }): ConfigRun {
  const judged = scenario.expectations.some(judgedInSweep);
  const { summary, timeline } = simulate(scenario, sys, { days: opts.days, timeline: judged, ...(opts.stepping ? { stepping: opts.stepping } : {}) });
  const expectations = scenario.expectations.map((e) => (timeline && judgedInSweep(e) ? check(timeline, e).passed : null));
  return { summary, expectations };
}
