import { DEFAULT_TIME_ZONE, formatClock, localClock } from '../core/time-zone.ts';
import type { Timeline, TimelineSample } from '../core/timeline/format.ts';

/** A replayed window in virtual epoch ms. */
export interface Window {
  start: number;
  end: number;
}

/**
 * The windows a timeline covers. A replay of several windows skips the hours between them, so a
 * chart that joins the last point of one window to the first of the next draws a curve nobody
 * observed. The meta record names the windows when the writer knows them; otherwise they are the
 * runs of samples between gaps (an interval over 3× the median sampling interval, the rule
 * `core/timeline/intervals.ts` uses for billing).
 */
export function timelineWindows(tl: Timeline): Window[] {
  const declared = [...(tl.meta.windows ?? [])].filter((w) => w.end >= w.start).sort((a, b) => a.start - b.start);
  if (declared.length > 0) return mergeTouching(declared);
  if (tl.samples.length === 0) return [{ start: tl.meta.start, end: Math.max(tl.meta.start, tl.meta.end) }];
  return windowsFromSamples(tl.samples);
}

function windowsFromSamples(samples: TimelineSample[]): Window[] {
  const gaps: number[] = [];
  for (let i = 1; i < samples.length; i++) gaps.push(samples[i]!.t - samples[i - 1]!.t);
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
  const out: Window[] = [{ start: samples[0]!.t, end: samples[0]!.t }];
  gaps.forEach((d, i) => {
    const t = samples[i + 1]!.t;
    if (median > 0 && d > 3 * median) out.push({ start: t, end: t });
    else out.at(-1)!.end = t;
  });
  return out;
}

/** Windows that touch or overlap are one stretch of observed time: one panel. */
function mergeTouching(sorted: Window[]): Window[] {
  const out: Window[] = [{ ...sorted[0]! }];
  for (const w of sorted.slice(1)) {
    const last = out.at(-1)!;
    if (w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

/**
 * Index of the window a time belongs to: the window containing it, else the nearer one across the
 * gap (a sample taken just after a window's end stays with it; the simulator's sample at 22:30:00
 * belongs to a window whose first recorded sample is at 22:30:02), else the first or last window.
 * So no point is dropped and none is drawn across a gap.
 */
export function windowIndex(windows: Window[], t: number): number {
  let i = 0;
  while (i + 1 < windows.length && windows[i + 1]!.start <= t) i++;
  const next = windows[i + 1];
  if (next && t > windows[i]!.end && next.start - t < t - windows[i]!.end) return i + 1;
  return i;
}

/** Splits time-ordered points into one list per window. */
export function splitByWindow<P extends readonly [number, ...unknown[]]>(windows: Window[], points: P[]): P[][] {
  const out: P[][] = windows.map(() => []);
  for (const p of points) out[windowIndex(windows, p[0])]!.push(p);
  return out;
}

/** Each window's axis range: the window, widened to any point assigned to it. */
export function windowRanges(windows: Window[], times: number[]): Window[] {
  const r = windows.map((w) => ({ ...w }));
  for (const t of times) {
    const w = r[windowIndex(windows, t)]!;
    w.start = Math.min(w.start, t);
    w.end = Math.max(w.end, t);
  }
  return r;
}

const DAY = 86_400_000;

/** The zone a timeline's times are read in: the scenario's `timezone`, UTC for timelines without one. */
export function timelineZone(tl: Timeline): string {
  return tl.meta.timeZone ?? DEFAULT_TIME_ZONE;
}

/** "06:30–08:00" in UTC, unnamed; a window ending at midnight ends at 24:00. */
export function windowLabel(w: Window): string {
  return windowLabelIn(DEFAULT_TIME_ZONE, false)(w);
}

/**
 * Labels on the clock of `zone`: "06:30–08:00 Asia/Shanghai" (the zone named unless `named` is
 * false, as every label a person reads has it). A function of the window alone, for `.map`.
 */
export function windowLabelIn(zone: string, named = true): (w: Window) => string {
  return (w) => {
    const s = localClock(w.start, zone);
    const e = localClock(w.end, zone);
    let days = Math.round((Date.parse(`${e.date}T00:00:00Z`) - Date.parse(`${s.date}T00:00:00Z`)) / DAY);
    let end = formatClock(w.end, zone);
    if (days > 0 && e.secondOfDay === 0) {
      days--;
      end = '24:00';
    }
    return `${formatClock(w.start, zone)}–${days > 0 ? `${end} (+${days} d)` : end}${named ? ` ${zone}` : ''}`;
  };
}

/** Wall time for a headline: a simulation takes milliseconds, a replay minutes. */
export function wallLabel(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(0)} ms` : `${seconds.toFixed(0)} s`;
}
