/**
 * The CronHPA schedule language, re-expressed from the parser upstream uses
 * (github.com/ringtail/go-cron at cfb21c105f50, a fork of robfig/cron v1): pure, no I/O.
 *
 * - Six fields `sec min hour dom month dow`; dow may be left out (parser.go `defaultParser`:
 *   `Second | Minute | Hour | Dom | Month | DowOptional | Descriptor`).
 * - Each field: `*` or `?`, `a`, `a-b`, `*∕s`, `a∕s` (a to max), `a-b∕s`, comma lists; month and
 *   weekday names (`jan`, `mon`) case-insensitive (parser.go `getRange`, `parseIntOrName`).
 * - Day matching: when dom or dow is `*`/`?` both must match, else either (spec.go `dayMatches`).
 * - Descriptors `@yearly @annually @monthly @weekly @daily @midnight @hourly`, `@every <duration>`
 *   is not supported here (upstream: constantdelay.go), and `@date YYYY-MM-DD HH:MM:SS`, which
 *   upstream turns into second/minute/hour/dom/month fields: the year is ignored, so it fires on that
 *   date every year (parser.go `parseDateSchedule`).
 * - `next(after)` is the first whole second strictly after `after` that matches (spec.go `Next`),
 *   evaluated on the wall clock of the given IANA time zone (upstream: the controller's TZ).
 */

export interface CronSchedule {
  readonly source: string;
  readonly second: ReadonlySet<number>;
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dom: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dow: ReadonlySet<number>;
  /** dom or dow was `*` / `?`: then both must match (spec.go dayMatches). */
  readonly dayAnd: boolean;
}

export class ScheduleError extends Error {}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const B = {
  second: { min: 0, max: 59 },
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dom: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  dow: { min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
} satisfies Record<string, Bounds>;

function parseNumber(expr: string, b: Bounds, whole: string): number {
  const named = b.names?.[expr.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(expr)) throw new ScheduleError(`"${whole}": cannot read "${expr}" as a number`);
  return Number(expr);
}

/** One comma-separated part; returns its values and whether it was `*` / `?` (parser.go getRange). */
function parseRange(expr: string, b: Bounds, whole: string): { values: number[]; star: boolean } {
  const [rangePart, stepPart, ...more] = expr.split('/');
  if (more.length > 0) throw new ScheduleError(`"${whole}": too many slashes in "${expr}"`);
  const lowHigh = rangePart!.split('-');
  let start: number;
  let end: number;
  const star = lowHigh[0] === '*' || lowHigh[0] === '?';
  if (star) {
    if (lowHigh.length > 1) throw new ScheduleError(`"${whole}": "${expr}" is not a range`);
    [start, end] = [b.min, b.max];
  } else {
    if (lowHigh.length > 2) throw new ScheduleError(`"${whole}": too many hyphens in "${expr}"`);
    start = parseNumber(lowHigh[0]!, b, whole);
    end = lowHigh.length === 2 ? parseNumber(lowHigh[1]!, b, whole) : start;
  }
  let step = 1;
  if (stepPart !== undefined) {
    step = parseNumber(stepPart, { min: 0, max: 0 }, whole);
    // `a/s` means a to the field's max (parser.go: `if singleDigit { end = r.max }`).
    if (lowHigh.length === 1 && !star) end = b.max;
  }
  if (start < b.min) throw new ScheduleError(`"${whole}": ${start} is below the minimum ${b.min} in "${expr}"`);
  if (end > b.max) throw new ScheduleError(`"${whole}": ${end} is above the maximum ${b.max} in "${expr}"`);
  if (start > end) throw new ScheduleError(`"${whole}": range ${start}-${end} runs backwards in "${expr}"`);
  if (step === 0) throw new ScheduleError(`"${whole}": the step must be positive in "${expr}"`);
  const values: number[] = [];
  for (let v = start; v <= end; v += step) values.push(v);
  return { values, star };
}

function parseField(field: string, b: Bounds, whole: string): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of field.split(',').filter((p) => p !== '')) {
    const r = parseRange(part, b, whole);
    r.values.forEach((v) => set.add(v));
    star ||= r.star;
  }
  if (set.size === 0) throw new ScheduleError(`"${whole}": empty field`);
  return { set, star };
}

function fromFields(source: string, f: string[]): CronSchedule {
  const dom = parseField(f[3]!, B.dom, source);
  const dow = parseField(f[5]!, B.dow, source);
  return {
    source,
    second: parseField(f[0]!, B.second, source).set,
    minute: parseField(f[1]!, B.minute, source).set,
    hour: parseField(f[2]!, B.hour, source).set,
    dom: dom.set,
    month: parseField(f[4]!, B.month, source).set,
    dow: dow.set,
    dayAnd: dom.star || dow.star,
  };
}

const DESCRIPTORS: Record<string, string[]> = {
  '@yearly': ['0', '0', '0', '1', '1', '*'],
  '@annually': ['0', '0', '0', '1', '1', '*'],
  '@monthly': ['0', '0', '0', '1', '*', '*'],
  '@weekly': ['0', '0', '0', '*', '*', '0'],
  '@daily': ['0', '0', '0', '*', '*', '*'],
  '@midnight': ['0', '0', '0', '*', '*', '*'],
  '@hourly': ['0', '0', '*', '*', '*', '*'],
};

const DATE = /^@date (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export function parseSchedule(spec: string): CronSchedule {
  const s = spec.trim();
  if (s === '') throw new ScheduleError('empty schedule');
  if (s.startsWith('@')) {
    const d = DATE.exec(s);
    if (d) {
      const [, , mo, da, h, mi, se] = d.map(Number);
      // Upstream parses with Go's time.Parse, which rejects impossible dates such as 02-30.
      if (Number.isNaN(Date.parse(`${s.slice(6, 16)}T00:00:00Z`)) || new Date(`${s.slice(6, 16)}T00:00:00Z`).getUTCDate() !== da) {
        throw new ScheduleError(`"${spec}": not a calendar date`);
      }
      return fromFields(s, [String(se), String(mi), String(h), String(da), String(mo), '*']);
    }
    const fields = DESCRIPTORS[s];
    if (!fields) throw new ScheduleError(`"${spec}": unrecognized descriptor (use 6 fields, or @date YYYY-MM-DD HH:MM:SS)`);
    return fromFields(s, fields);
  }
  const fields = s.split(/\s+/);
  if (fields.length < 5 || fields.length > 6) throw new ScheduleError(`"${spec}": expected 5 to 6 fields (sec min hour dom month [dow]), found ${fields.length}`);
  return fromFields(s, fields.length === 5 ? [...fields, '*'] : fields);
}

/** Wall-clock fields of an instant in a time zone. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function wallTime(epochMs: number, timeZone: string): WallTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(epochMs).map((x) => [x.type, x.value]));
  const [year, month, day] = [Number(p.year), Number(p.month), Number(p.day)];
  return { year, month, day, hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second), weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

/** The instant whose wall time in `timeZone` is the naive (UTC-read) `naiveMs`; a DST gap moves forward. */
function fromWall(naiveMs: number, timeZone: string): number {
  const offsetAt = (t: number) => {
    const w = wallTime(t, timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(t / 1000) * 1000;
  };
  const guess = naiveMs - offsetAt(naiveMs);
  const second = naiveMs - offsetAt(guess);
  return Math.max(guess, second);
}

/** Upstream gives up five years ahead (spec.go `yearLimit`): such a schedule never fires. */
const YEAR_LIMIT = 5;

/** The first whole second strictly after `afterMs` matching `s` on `timeZone`'s wall clock, or undefined. */
export function nextFire(s: CronSchedule, afterMs: number, timeZone = 'UTC'): number | undefined {
  const w0 = wallTime(afterMs, timeZone);
  let t = new Date(Date.UTC(w0.year, w0.month - 1, w0.day, w0.hour, w0.minute, w0.second) + 1000);
  const limit = w0.year + YEAR_LIMIT;
  const set = (y: number, mo: number, d: number, h = 0, mi = 0, se = 0) => new Date(Date.UTC(y, mo, d, h, mi, se));
  while (t.getUTCFullYear() <= limit) {
    const [y, mo, d, h, mi] = [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()];
    if (!s.month.has(mo + 1)) t = set(y, mo + 1, 1);
    else if (!dayMatches(s, d, t.getUTCDay())) t = set(y, mo, d + 1);
    else if (!s.hour.has(h)) t = set(y, mo, d, h + 1);
    else if (!s.minute.has(mi)) t = set(y, mo, d, h, mi + 1);
    else if (!s.second.has(t.getUTCSeconds())) t = new Date(t.getTime() + 1000);
    else {
      const at = fromWall(t.getTime(), timeZone);
      return at > afterMs ? at : nextFire(s, afterMs + 1000, timeZone);
    }
  }
  return undefined;
}

function dayMatches(s: CronSchedule, dom: number, dow: number): boolean {
  const domMatch = s.dom.has(dom);
  const dowMatch = s.dow.has(dow);
  return s.dayAnd ? domMatch && dowMatch : domMatch || dowMatch;
}

/** A time zone name the runtime knows, or a ScheduleError naming it. */
export function checkTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ScheduleError(`unknown time zone "${timeZone}" (use an IANA name such as Asia/Shanghai or UTC)`);
  }
  return timeZone;
}
