import { readUserFile } from '../core/files.ts';
import { UserError } from '../core/errors.ts';
import { parseCurveDays } from '../scenarios/curve.ts';
import { SCENARIO_BOUNDS } from '../scenarios/bounds.ts';
import type { Scenario } from '../scenarios/index.ts';
import type { SystemConfig } from '../simulator/index.ts';
import { AGGREGATION, dayData, dayScenario, daysVerdict, holdoutCount, holdoutVerdict, splitHoldout, usableDays, type DayData, type DayVerdict, type Holdout } from './days.ts';
import { outcomeOf } from './evaluate.ts';
import type { Advice } from './advice.ts';

/** `advise --history`: the team's history (`curve pull` output) read and cut into the scenario's days. */

export interface History {
  file: string;
  /** The scenario on each day searched on, in date order (× growth). */
  train: Scenario[];
  /** The scenario on each held-out day. */
  held: Scenario[];
  /** Days the file touches but does not cover for every window, with why. */
  left: { day: string; why: string }[];
  /** The days searched on as data, for the worker threads. */
  trainData: DayData[];
}

/**
 * Reads `file` with the curve loader (errors name file:line), cuts it into days in the scenario's
 * `timezone:`, keeps the days that cover every window and holds the last `holdout` out. The
 * history replaces the scenario's `curve:` (its file, day and transforms: the history is the real
 * traffic); `growth` multiplies each day.
 */
export async function loadHistory(file: string, scenario: Scenario, opts: { holdout?: number | undefined; growth?: number | undefined }): Promise<History> {
  const text = await readUserFile(file, 'history', { hint: 'give the CSV `ebbflow curve pull` writes (a header `time,devices`, one row per step)', maxBytes: SCENARIO_BOUNDS.curveFileBytes.max });
  // Cells are not echoed: the file is whatever path the command line named.
  const { kept, left } = usableDays(parseCurveDays(text, file, { timeZone: scenario.timezone }), scenario.windows, scenario.day);
  if (!kept.length) {
    throw new UserError(`${file}: no day covers the scenario's windows (${left.slice(0, 3).map((l) => `${l.day}: ${l.why}`).join('; ')}${left.length > 3 ? '; …' : ''})`, `pull whole days (e.g. --from 2026-11-01 --to 2026-11-08), in the scenario's time zone ${scenario.timezone}`);
  }
  const split = splitHoldout(kept, holdoutCount(kept.length, opts.holdout, file));
  const onDay = (d: (typeof kept)[number]) => dayScenario(scenario, d, opts.growth);
  return { file, train: split.train.map(onDay), held: split.held.map(onDay), left, trainData: split.train.map(dayData) };
}

/**
 * Today's policy and the recommendation on each day searched on, and both on the held-out days
 * (simulated as the search simulated them: today's policy is the manifests as they are).
 */
export function historyVerdicts(h: History, base: SystemConfig, rec: ((sys: SystemConfig) => SystemConfig) | null, minSlo: number): { history: NonNullable<Advice['history']>; current: DayVerdict[]; recommended: DayVerdict[] | undefined; holdout: Holdout | undefined } {
  const current = (s: Scenario) => outcomeOf(s, base, {});
  const recommended = rec ? (s: Scenario) => outcomeOf(s, rec(base), {}) : undefined;
  return {
    history: { file: h.file, days: h.train.map((s) => s.day), left: h.left, aggregation: AGGREGATION },
    current: daysVerdict(h.train, current, minSlo).perDay,
    recommended: recommended && daysVerdict(h.train, recommended, minSlo).perDay,
    holdout: holdoutVerdict(h.held, { current, recommended }, minSlo),
  };
}
