import type { Scenario } from '../scenarios/index.ts';
import { makeCurve, type Curve, type CurveDay } from '../scenarios/curve.ts';
import { growth } from '../scenarios/transforms.ts';
import { localTimeToInstant } from '../core/time-zone.ts';
import { UserError } from '../core/errors.ts';
import type { Candidate, Evaluate, Outcome } from './search.ts';

/**
 * The search over several days of history, pure: which days count, which are held out, the scenario
 * on each day, and one candidate's outcomes on the days as the one outcome the search compares.
 */

/** A day of the team's history. */
export interface HistoryDay {
  /** YYYY-MM-DD in the scenario's zone. */
  day: string;
  curve: Curve;
}

/** A day as plain data, for a worker thread or a shard's input (a Curve carries a function). */
export interface DayData {
  day: string;
  name: string;
  stepSeconds: number;
  values: number[];
}

export const dayData = (d: HistoryDay): DayData => ({ day: d.day, name: d.curve.name, stepSeconds: d.curve.stepSeconds, values: d.curve.values });
export const fromDayData = (d: DayData): HistoryDay => ({ day: d.day, curve: makeCurve(d.name, d.stepSeconds, d.values) });

const clock = (s: number) => `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;

/**
 * The days whose rows cover every window of the scenario. A pull over `now-7d` starts and ends in
 * the middle of a day; such a day's missing hours would be the curve held flat, i.e. invented
 * traffic, so it is left out (with why) rather than searched on. A file of clock times is one day,
 * dated `undatedDay` (the scenario's `day:`).
 */
export function usableDays(days: CurveDay[], windows: { start: number; end: number }[], undatedDay: string): { kept: HistoryDay[]; left: { day: string; why: string }[] } {
  const kept: HistoryDay[] = [];
  const left: { day: string; why: string }[] = [];
  for (const d of days) {
    const day = d.day ?? undatedDay;
    const missed = windows.find((w) => d.from > w.start || d.to < w.end);
    if (missed) left.push({ day, why: `its rows cover ${clock(d.from)}–${clock(d.to)}, not the window ${clock(missed.start)}–${clock(missed.end)}` });
    else kept.push({ day, curve: d.curve });
  }
  return { kept, left };
}

/**
 * How many of the last days are held out: `asked`, else 1 when there are two days or more and 0 for
 * one. At least one day must stay to search on.
 */
export function holdoutCount(days: number, asked: number | undefined, file: string): number {
  const n = asked ?? (days >= 2 ? 1 : 0);
  if (n >= days) {
    throw new UserError(`--holdout ${n}: ${file} has ${days} usable day(s), and at least one must be left to search on`, days > 1 ? `give --holdout ${days - 1} or less` : 'give a history of two days or more to hold one out, or --holdout 0');
  }
  return n;
}

/** The first days to search on, the last `held` to check the answer on: it is checked on what came after what it was fitted to. */
export function splitHoldout<T>(days: T[], held: number): { train: T[]; held: T[] } {
  return { train: days.slice(0, days.length - held), held: days.slice(days.length - held) };
}

/** The scenario on one day of history: the day's curve (× growth) instead of its own, and that day as the virtual date (a CronHPA schedule and the reports see the real weekday). */
export function dayScenario(s: Scenario, d: HistoryDay, growthFactor = 1): Scenario {
  const curve = growthFactor !== 1 ? growth(d.curve, growthFactor) : d.curve;
  return { ...s, curve, day: d.day, dayStartMs: localTimeToInstant(d.day, 0, s.timezone) };
}

/**
 * One candidate's outcomes on several days as the one outcome the search compares: the mean daily
 * cost, the worst day's SLO coverage, passed only when every day passed, the highest peak. Each is
 * monotone in every day's figure, so what the search proves from the HPA's arithmetic on one day
 * holds across days: a candidate no cheaper and covering no more on every day is no cheaper and
 * covers no more here, and a ceiling no day reached bound on no day.
 */
export function aggregate(outcomes: Outcome[]): Outcome {
  if (!outcomes.length) throw new Error('aggregate: no days');
  return {
    cost: outcomes.reduce((a, o) => a + o.cost, 0) / outcomes.length,
    sloCoverage: Math.min(...outcomes.map((o) => o.sloCoverage)),
    passed: outcomes.every((o) => o.passed),
    peakReplicas: Math.max(...outcomes.map((o) => o.peakReplicas)),
  };
}

/** An evaluation over every day: `one` runs a candidate on one day's scenario. */
export const onDays = <S>(days: S[], one: (day: S, c: Candidate) => Outcome): Evaluate => (c) => aggregate(days.map((d) => one(d, c)));

/** One policy on one day. */
export interface DayVerdict {
  day: string;
  cost: number;
  sloCoverage: number;
  /** Every expectation held and the coverage reached the advice's bar (`minSlo`). */
  passed: boolean;
}

/** One policy over some days: the per-day figures, and them aggregated as the search aggregates them. */
export interface DaysVerdict {
  days: string[];
  /** Every day passed. */
  passed: boolean;
  /** The mean daily cost. */
  cost: number;
  /** The worst day's coverage. */
  sloCoverage: number;
  perDay: DayVerdict[];
}

/** The recommendation (or, without one, today's policy) checked on the held-out days, today's beside it. */
export interface Holdout extends DaysVerdict {
  policy: 'recommended' | 'current';
  current: DaysVerdict;
}

/** A policy's figures on each of `days`, `run` simulating it on one day's scenario. */
export function daysVerdict(days: Scenario[], run: (s: Scenario) => Outcome, minSlo: number): DaysVerdict {
  const perDay = days.map((s) => {
    const o = run(s);
    return { day: s.day, cost: o.cost, sloCoverage: o.sloCoverage, passed: o.passed && o.sloCoverage >= minSlo };
  });
  const all = aggregate(perDay.map((d) => ({ ...d, peakReplicas: 0 })));
  return { days: perDay.map((d) => d.day), passed: all.passed, cost: all.cost, sloCoverage: all.sloCoverage, perDay };
}

/** The held-out days' verdicts; undefined when nothing is held out. */
export function holdoutVerdict(held: Scenario[], policies: { current: (s: Scenario) => Outcome; recommended?: ((s: Scenario) => Outcome) | undefined }, minSlo: number): Holdout | undefined {
  if (!held.length) return undefined;
  const current = daysVerdict(held, policies.current, minSlo);
  if (!policies.recommended) return { policy: 'current', ...current, current };
  return { policy: 'recommended', ...daysVerdict(held, policies.recommended, minSlo), current };
}

/** How the days are aggregated, as advice.json and advice.md state it. */
export const AGGREGATION = "the mean daily cost, the worst day's SLO coverage; a policy passes only when it passes on every day";

/** advice.md's part about the history: each day searched on, the days left out, and whether the advice held on the held-out days. */
export function historyMarkdown(h: { history: { file: string; days: string[]; left: { day: string; why: string }[] }; holdout?: Holdout | undefined; current: DayVerdict[]; recommended?: DayVerdict[] | undefined }, money: (v: number) => string): string[] {
  const cell = (v: DayVerdict | undefined) => (v ? `${money(v.cost)}, ${v.sloCoverage.toFixed(1)} %, ${v.passed ? 'passes' : '**fails**'}` : '-');
  const lines = ['', `## Days searched on (${h.history.file})`, '', `| day | current | recommended |`, '|---|---|---|'];
  h.history.days.forEach((day, i) => lines.push(`| ${day} | ${cell(h.current[i])} | ${cell(h.recommended?.[i])} |`));
  for (const l of h.history.left) lines.push('', `Left out: ${l.day}, ${l.why}.`);
  const o = h.holdout;
  if (!o) {
    lines.push('', 'No day held out (one day of history, or --holdout 0): the advice is not checked on a day it was not fitted to.');
    return lines;
  }
  lines.push('', `## Held out: ${o.days.join(', ')} (not searched on)`, '', `| day | current | ${o.policy} |`, '|---|---|---|');
  o.perDay.forEach((d, i) => lines.push(`| ${d.day} | ${cell(o.current.perDay[i])} | ${o.policy === 'recommended' ? cell(d) : '-'} |`));
  lines.push(
    '',
    o.policy === 'current'
      ? `Nothing was recommended; today's policy ${o.current.passed ? 'passes' : 'fails'} on the held-out day(s).`
      : o.passed
        ? `**The advice held**: the recommended policy passes every expectation at or above the coverage bar on every held-out day (mean ${money(o.cost)}, worst day ${o.sloCoverage.toFixed(1)} %).`
        : `**The advice did not hold**: the recommended policy fails on ${o.perDay.filter((d) => !d.passed).map((d) => d.day).join(', ')} — it was fitted to days its held-out traffic exceeds. Search with that day too (--holdout 0), raise --growth, or keep today's policy.`,
  );
  return lines;
}
