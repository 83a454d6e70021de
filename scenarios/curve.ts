import { DEFAULT_TIME_ZONE, zoneOffsetMs } from '../core/time-zone.ts';
import { basename } from 'node:path';
import { UserError } from '../core/errors.ts';
import { readUserFile } from '../core/files.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import { SCENARIO_BOUNDS } from './bounds.ts';

/**
 * A daily active-device curve: values at a fixed step from 00:00 (seconds of day on the scenario's
 * clock: its `timezone`, UTC by default), linearly
 * interpolated between points and held flat beyond the last point (a day does not wrap into the
 * next one: a replay window never crosses midnight).
 */
export interface Curve {
  name: string;
  stepSeconds: number;
  values: number[];
  at(secondOfDay: number): number;
  /** Whole days the values cover: 1, or more for a multi-day export kept whole (then `at` takes seconds since its first 00:00). */
  days?: number;
  /** Epoch ms of 00:00 UTC of the first day, when the file named dates. */
  startMs?: number;
}

export const DAY_SECONDS = 86_400;

export function makeCurve(name: string, stepSeconds: number, values: number[]): Curve {
  if (!values.length) throw new Error(`curve ${name}: no points`);
  return {
    name,
    stepSeconds,
    values,
    at(s: number): number {
      const x = Math.max(0, s) / stepSeconds;
      const i = Math.floor(x);
      if (i >= values.length - 1) return values[values.length - 1]!;
      const f = x - i;
      return values[i]! * (1 - f) + values[i + 1]! * f;
    },
  };
}

export function constCurve(n: number): Curve {
  return makeCurve(`const:${n}`, DAY_SECONDS, [n, n]);
}

/** `HH:MM` or `HH:MM:SS` → seconds of day; undefined if it is not a clock time. */
export function clockSeconds(s: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s.trim());
  if (!m) return undefined;
  const [h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 24 || mi > 59 || se > 59 || (h === 24 && (mi > 0 || se > 0))) return undefined;
  return h * 3600 + mi * 60 + se;
}

/** `YYYY-MM-DD` → epoch ms of its 00:00 UTC; undefined unless it is a real calendar date (no 2026-02-30). */
export function calendarDayMs(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 02-30 over into March: a round trip tells a real date from a rolled one.
  if (y < 1970 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms;
}

/** A parsed time cell: a clock time of an unnamed day, or an absolute UTC time (an SLS export). */
type TimeCell = { kind: 'clock'; seconds: number } | { kind: 'absolute'; seconds: number };

function timeCell(c: string): TimeCell | undefined {
  const clock = clockSeconds(c);
  if (clock !== undefined) return { kind: 'clock', seconds: clock };
  if (/^\d{9,11}(\.\d+)?$/.test(c)) return { kind: 'absolute', seconds: Math.floor(Number(c)) };
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(c);
  if (!m || calendarDayMs(m[1]!) === undefined) return undefined;
  const [h, mi, se] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (h > 23 || mi > 59 || se > 59) return undefined;
  const zone = m[6] && m[6].toUpperCase() !== 'Z' ? m[6] : '';
  const offset = zone ? (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(-2)) * 60) : 0;
  return { kind: 'absolute', seconds: calendarDayMs(m[1]!)! / 1000 + h * 3600 + mi * 60 + se - offset };
}

/** Why a device count cell is not a plain non-negative decimal number, or undefined if it is one. */
function badCount(cell: string): string | undefined {
  if (cell === '') return 'is empty; give the number of devices (0 if there were none)';
  if (/^[+-]?0x/i.test(cell)) return 'is hexadecimal; give a decimal number';
  if (cell.startsWith('-')) return 'is negative; a number of devices is 0 or more';
  if (/^\d{1,3}([,_ ']\d{3})+(\.\d+)?$/.test(cell)) return 'has a thousands separator; write the plain number (1000, not 1,000)';
  if (!/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(cell)) return 'is not a plain decimal number';
  const v = Number(cell);
  if (!Number.isFinite(v)) return 'is not finite';
  if (v > SCENARIO_BOUNDS.devices.max) return `is above ${SCENARIO_BOUNDS.devices.max} devices, which is surely a unit mistake`;
  return undefined;
}

export interface CurveParseOptions {
  /** Pick this day (YYYY-MM-DD, in `timeZone`) of an export that spans several days. */
  day?: string;
  /**
   * The IANA zone whose days and clock times a dated export is read in (default UTC): each time
   * becomes the zone's wall clock, so `day` picks the zone's calendar day and the curve's seconds of
   * day are the zone's clock times, as the scenario's windows are.
   */
  timeZone?: string;
  /**
   * Quote offending cells in errors. Only for files the user vouches for (inside the scenario's
   * directory): errors end up in CI logs, and a curve path could name any readable file.
   */
  echo?: boolean;
}

const CSV_ERRORS: Record<string, string> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'this row has a different number of cells than the header',
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text follows the closing quote of a cell',
  CSV_INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted cell',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text follows the closing quote of a cell',
};

/** CSV text → rows of cells with their line numbers; CSV syntax errors become UserErrors with file:line. */
function csvRows(text: string, file: string): { cells: string[]; line: number }[] {
  try {
    const lines: number[] = [];
    const onRecord = (cells: string[], ctx: { lines: number }) => {
      lines.push(ctx.lines);
      return cells;
    };
    const records = parseCsv(text, { comment: '#', comment_no_infix: true, skip_empty_lines: true, trim: true, bom: true, on_record: onRecord });
    return records.map((cells, i) => ({ cells, line: lines[i]! }));
  } catch (e) {
    const err = e as { code?: string; lines?: number };
    // csv-parse's own messages quote the offending text: never pass them on.
    throw new UserError(`${file}:${err.lines ?? 0}: ${CSV_ERRORS[err.code ?? ''] ?? `not valid CSV (${err.code ?? 'unknown error'})`}`, 'a curve is CSV with a header `time,devices` and one row per time');
  }
}

const TIME_COLUMNS = ['time', '__time__', 'timestamp'];
const VALUE_COLUMNS = ['devices', 'active_devices', 'value'];

/**
 * Parses `time,devices` CSV (header required; column names may also be `__time__` and any one numeric
 * column, like an SLS query export). Points are sorted and resampled to one minute by interpolation.
 * An export spanning several UTC days keeps them as whole days, in order, unless `day` picks one.
 */
export function parseCurveCsv(text: string, file: string, opts: CurveParseOptions = {}): Curve {
  const { name, pts } = curvePoints(text, file, opts);
  return buildDays(name, pts, file, opts.day);
}

/** The rows of a curve CSV, checked, with dated times moved to `timeZone`'s wall clock (read as UTC). */
function curvePoints(text: string, file: string, opts: CurveParseOptions): { name: string; pts: { t: TimeCell; v: number; line: number }[] } {
  const quote = (cell: string) => (opts.echo ? ` (got "${cell.slice(0, 40)}")` : '');
  const rows = csvRows(text, file);
  const header = (rows[0]?.cells ?? []).map((h) => h.toLowerCase());
  const ti = header.findIndex((h) => TIME_COLUMNS.includes(h));
  const vi = header.findIndex((h, i) => i !== ti && VALUE_COLUMNS.includes(h));
  if (ti < 0 || vi < 0) {
    throw new UserError(`${file}:${rows[0]?.line ?? 1}: the header must name a time column (${TIME_COLUMNS.join(', ')}) and a value column (${VALUE_COLUMNS.join(', ')})${opts.echo && rows[0] ? `; got "${rows[0].cells.join(',').slice(0, 80)}"` : ''}`);
  }
  const [tName, vName] = [header[ti]!, header[vi]!];
  const pts: { t: TimeCell; v: number; line: number }[] = [];
  for (const { cells, line } of rows.slice(1)) {
    const t = timeCell(cells[ti]!);
    if (t === undefined) throw new UserError(`${file}:${line}: ${tName}: not a time${quote(cells[ti]!)}; use HH:MM, an ISO timestamp of a real date or epoch seconds`);
    const why = badCount(cells[vi]!);
    if (why) throw new UserError(`${file}:${line}: ${vName}: ${why}${quote(cells[vi]!)}`);
    pts.push({ t, v: Number(cells[vi]), line });
  }
  if (pts.length < 2) throw new UserError(`${file}: a curve needs at least two rows, found ${pts.length}`);
  if (new Set(pts.map((p) => p.t.kind)).size > 1) throw new UserError(`${file}: ${tName}: mixes clock times (HH:MM) with dated times; use one kind`);
  const zone = opts.timeZone;
  const wall = zone && zone !== DEFAULT_TIME_ZONE ? pts.map((p) => (p.t.kind === 'absolute' ? { ...p, t: { ...p.t, seconds: p.t.seconds + zoneOffsetMs(p.t.seconds * 1000, zone) / 1000 } } : p)) : pts;
  return { name: basename(file).replace(/\.csv$/i, ''), pts: wall };
}

/** One day of an export: its own rows as a one-day curve, and the seconds of day those rows cover. */
export interface CurveDay {
  /** YYYY-MM-DD in the zone; undefined for a file of clock times (one unnamed day). */
  day: string | undefined;
  curve: Curve;
  /** First row's second of day; the last row's plus the export's step (a row stands for the step after it, as `curve pull` writes buckets). */
  from: number;
  to: number;
}

/**
 * A curve CSV cut into its days in `timeZone` (each day built from its own rows only, so a day
 * the export covers in part is not padded from its neighbours and says how much it covers). A
 * file of clock times is one day.
 */
export function parseCurveDays(text: string, file: string, opts: Omit<CurveParseOptions, 'day'> = {}): CurveDay[] {
  const { name, pts } = curvePoints(text, file, opts);
  if (pts.length < 2) throw new UserError(`${file}: a curve needs at least two rows, found ${pts.length}`);
  const times = [...new Set(pts.map((p) => p.t.seconds))].sort((a, b) => a - b);
  // The export's step: its smallest spacing (curve pull writes one row per bucket, 0 for an empty one).
  const step = times.slice(1).reduce((m, t, i) => Math.min(m, t - times[i]!), Infinity);
  const cover = (ps: { t: TimeCell }[], first: number) => ({
    from: ps.reduce((m, p) => Math.min(m, p.t.seconds), Infinity) - first,
    to: ps.reduce((m, p) => Math.max(m, p.t.seconds), -Infinity) - first + step,
  });
  if (pts[0]!.t.kind === 'clock') return [{ day: undefined, curve: buildDays(name, pts, file, undefined), ...cover(pts, 0) }];
  const byDay = new Map<number, typeof pts>();
  for (const p of pts) {
    const d = Math.floor(p.t.seconds / DAY_SECONDS);
    const list = byDay.get(d);
    if (list) list.push(p);
    else byDay.set(d, [p]);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  if (days.at(-1)! - days[0]! + 1 > SCENARIO_BOUNDS.curveDays.max) throw new UserError(`${file}: spans ${isoDay(days[0]! * 86_400_000)} … ${isoDay(days.at(-1)! * 86_400_000)}, more than ${SCENARIO_BOUNDS.curveDays.max} days`, 'pull fewer days');
  return days.map((d) => {
    const ps = byDay.get(d)!;
    const day = isoDay(d * 86_400_000);
    // A day of one row is still a day the export touched: its curve holds that value.
    const curve = ps.length > 1 ? buildDays(`${name} ${day}`, ps, file, day) : makeCurve(`${name} ${day}`, DAY_SECONDS, [ps[0]!.v, ps[0]!.v]);
    return { day, curve, ...cover(ps, d * DAY_SECONDS) };
  });
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Clock or dated points → a one-minute curve over one day, the picked day, or every whole day of the export. */
function buildDays(name: string, pts: { t: TimeCell; v: number; line: number }[], file: string, day: string | undefined): Curve {
  const dated = pts[0]!.t.kind === 'absolute';
  let first = 0;
  let kept = pts;
  if (dated) {
    const days = [...new Set(pts.map((p) => Math.floor(p.t.seconds / DAY_SECONDS)))].sort((a, b) => a - b);
    const list = () => (days.length > 3 ? `${isoDay(days[0]! * 86_400_000)} … ${isoDay(days.at(-1)! * 86_400_000)}` : days.map((d) => isoDay(d * 86_400_000)).join(', '));
    if (day !== undefined) {
      const ms = calendarDayMs(day);
      if (ms === undefined) throw new UserError(`${file}: day ${day} is not a real date YYYY-MM-DD`);
      first = ms / 1000;
      kept = pts.filter((p) => Math.floor(p.t.seconds / DAY_SECONDS) === first / DAY_SECONDS);
      if (kept.length < 2) throw new UserError(`${file}: day ${day} has ${kept.length} row(s); the file covers ${list()}`, 'pick a day the export covers');
    } else {
      first = days[0]! * DAY_SECONDS;
      if (days.at(-1)! - days[0]! + 1 > SCENARIO_BOUNDS.curveDays.max) throw new UserError(`${file}: spans ${list()}, more than ${SCENARIO_BOUNDS.curveDays.max} days`, 'pick one day (curve.day or --day YYYY-MM-DD)');
    }
  } else if (day !== undefined) {
    throw new UserError(`${file}: has clock times only, so there is no day ${day} to pick`, 'remove the day, or export the curve with dated times');
  }
  const sorted = kept.map((p) => ({ ...p, s: p.t.seconds - first })).sort((a, b) => a.s - b.s || a.line - b.line);
  sorted.slice(1).forEach((p, i) => {
    if (p.s === sorted[i]!.s) throw new UserError(`${file}:${p.line}: the same time as line ${sorted[i]!.line}; each time appears once`);
  });
  const span = Math.max(1, Math.ceil(sorted.at(-1)!.s / DAY_SECONDS)) * DAY_SECONDS;
  const c = resample(name, sorted.map((p) => [p.s, p.v]), 60, span);
  return dated ? { ...c, days: span / DAY_SECONDS, startMs: first * 1000 } : c;
}

/** Points (seconds of day, value) → a curve at a fixed step, linear in between, flat beyond the ends. */
export function resample(name: string, pts: [number, number][], step: number, spanSeconds = DAY_SECONDS): Curve {
  const n = Math.floor(spanSeconds / step) + 1;
  const values = new Array<number>(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const s = i * step;
    while (j < pts.length - 2 && pts[j + 1]![0] <= s) j++;
    const [t0, v0] = pts[j]!;
    const [t1, v1] = pts[j + 1]!;
    values[i] = s <= t0 ? v0 : s >= t1 ? v1 : v0 + ((v1 - v0) * (s - t0)) / (t1 - t0);
  }
  return makeCurve(name, step, values);
}

/**
 * The curve as a function of epoch ms: a multi-day export answers for its own dates (flat before and
 * after them); a one-day curve repeats every UTC day.
 */
export function curveAtEpochMs(c: Curve): (ms: number) => number {
  if ((c.days ?? 1) > 1 && c.startMs !== undefined) return (ms) => c.at((ms - c.startMs!) / 1000);
  return (ms) => c.at(((ms / 1000) % DAY_SECONDS + DAY_SECONDS) % DAY_SECONDS);
}

export async function loadCurveFile(path: string, opts: CurveParseOptions = {}): Promise<Curve> {
  const text = await readUserFile(path, 'curve', { hint: 'give a CSV with a header `time,devices`', maxBytes: SCENARIO_BOUNDS.curveFileBytes.max });
  return parseCurveCsv(text, path, opts);
}
