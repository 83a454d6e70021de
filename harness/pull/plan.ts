import { UserError } from '../../core/errors.ts';
import { formatDuration, parseDuration, UnitError } from '../../core/units.ts';

/**
 * `ebbflow curve pull`, the pure half: the time range and its pages, the metric's query turned into
 * one time-bucketed SQL, the answer checked and turned into curve rows, the CSV with its provenance.
 */

const DAY = 86_400;

/** SLS's limits on one analytic query, and ours on one pull. */
export const PULL_LIMITS = {
  /** Rows one SQL page asks for (SLS returns at most `limit` rows; 1000 keeps each answer small). */
  rowsPerPage: 1000,
  /** Time range of one query: SLS scans the whole range per query and times out on long ones. */
  maxPageSeconds: DAY,
  /** The longest pull: what a curve file may hold (scenarios/bounds.ts curveDays). */
  maxDays: 366,
  /** Clock skew allowed on `--to` before it counts as the future. */
  futureSlackSeconds: 60,
} as const;

export interface PullRange {
  /** Epoch seconds, inclusive. */
  from: number;
  /** Epoch seconds, exclusive. */
  to: number;
  step: number;
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/** `now`, `now-7d`, `YYYY-MM-DD`, an ISO date-time (UTC unless it names a zone) or epoch seconds → epoch seconds. */
export function parseTime(v: string, flag: string, nowSeconds: number): number {
  const s = v.trim();
  const rel = /^now(?:-(.+))?$/.exec(s);
  if (rel) {
    try {
      return Math.floor(nowSeconds - (rel[1] ? parseDuration(rel[1]) : 0));
    } catch (e) {
      if (e instanceof UnitError) throw new UserError(`${flag} ${v}: ${e.message}`, 'e.g. now-7d, now-12h');
      throw e;
    }
  }
  if (/^\d{9,11}$/.test(s)) return Number(s);
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:\d{2})?)?$/i.exec(s);
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? 'Z'}`) : NaN;
  // Date.parse rolls 02-30 into March: a round trip of the date part tells a real date.
  if (!m || Number.isNaN(ms) || (m[3] === undefined && new Date(ms).toISOString().slice(0, 10) !== m[1])) {
    throw new UserError(`${flag} ${v}: not a time`, 'give YYYY-MM-DD, an ISO time like 2026-11-20T08:00:00Z, epoch seconds, now or now-7d');
  }
  return Math.floor(ms / 1000);
}

/** `--step`: whole seconds that divide a day, so buckets line up with UTC days as curves do. */
export function parseStep(stepText: string): number {
  let step: number;
  try {
    step = parseDuration(stepText);
  } catch (e) {
    throw new UserError(`--step ${stepText}: ${(e as Error).message}`, 'e.g. --step 1m');
  }
  if (!Number.isInteger(step) || step < 1 || step > DAY || DAY % step !== 0) {
    throw new UserError(`--step ${stepText}: must be whole seconds that divide a day (1s … 1d)`, 'e.g. 10s, 1m, 5m, 15m, 1h');
  }
  return step;
}

/**
 * `--from`/`--to` with the step: relative times (`now`, `now-7d`) are rounded down to the step, since
 * nobody means a bucket boundary by them; absolute ones must be whole steps.
 */
export function pullRange(fromText: string, toText: string, stepText: string, nowSeconds: number): PullRange {
  const step = parseStep(stepText);
  const at = (v: string, flag: string) => {
    const t = parseTime(v, flag, nowSeconds);
    return /^\s*now/.test(v) ? t - (t % step) : t;
  };
  return checkRange(at(fromText, '--from'), at(toText, '--to'), step, nowSeconds);
}

/** The range checked: whole steps, in the past, not too long, at least two rows. */
export function checkRange(from: number, to: number, step: number, nowSeconds: number): PullRange {
  if (from >= to) throw new UserError(`--from ${iso(from)} is not before --to ${iso(to)}`, 'give a range that starts before it ends');
  if (to > nowSeconds + PULL_LIMITS.futureSlackSeconds) throw new UserError(`--to ${iso(to)} is in the future (now is ${iso(nowSeconds)}): SLS has no history there`, 'use --to now, or an earlier time');
  if (to - from > PULL_LIMITS.maxDays * DAY) throw new UserError(`the range ${iso(from)} … ${iso(to)} is longer than ${PULL_LIMITS.maxDays} days, more than a curve file holds`, 'pull a shorter range');
  if (from % step !== 0 || to % step !== 0) {
    const f = from - (from % step);
    const t = to - (to % step);
    throw new UserError(`--step ${formatDuration(step)} does not divide the range ${iso(from)} … ${iso(to)}: buckets start at multiples of the step`, `use --from ${iso(f)} --to ${iso(t > f ? t : t + step)}`);
  }
  if ((to - from) / step < 2) throw new UserError(`the range ${iso(from)} … ${iso(to)} is one step of ${formatDuration(step)}: a curve needs at least two rows`, 'pull a longer range or a shorter step');
  return { from, to, step };
}

/** Pages of whole steps: each at most `rowsPerPage` buckets and `maxPageSeconds` long. */
export function planPages(r: PullRange, rowsPerPage: number = PULL_LIMITS.rowsPerPage, maxPageSeconds: number = PULL_LIMITS.maxPageSeconds): { from: number; to: number }[] {
  const len = Math.max(r.step, Math.min(rowsPerPage * r.step, maxPageSeconds - (maxPageSeconds % r.step)));
  const pages: { from: number; to: number }[] = [];
  for (let f = r.from; f < r.to; f += len) pages.push({ from: f, to: Math.min(r.to, f + len) });
  return pages;
}

export const BUCKET_COLUMN = 'ebbflow_bucket';

/** SQL constructs after which a value per time bucket is no longer the metric's value. */
const NOT_BUCKETABLE: [RegExp, string][] = [
  [/\bgroup\s+by\b/, 'it already groups by something else (one value per group, not one per time)'],
  [/\border\s+by\b|\blimit\b|\bhaving\b/, 'it orders, limits or filters groups (ORDER BY, LIMIT, HAVING)'],
  [/\bjoin\b|\bunion\b|\(\s*select\b/, 'it joins, unions or nests queries'],
  [/\bover\s*\(/, 'it uses a window function (OVER)'],
  [/__time__/, 'it already computes with __time__'],
];

export interface MetricQuery {
  name: string;
  query: string;
  valueColumn: string;
  labelColumns: string[];
}

/**
 * The metric's query as one time-bucketed SQL: `<search> | select __time__ - __time__ % step as b,
 * <its items> [from … where …] group by b order by b limit N`. A query whose rows are not one value
 * for the whole window cannot be bucketed this way; that is the user's error to hear about.
 */
export function bucketQuery(m: MetricQuery, step: number, limit: number, file: string): string {
  const fail = (why: string) => new UserError(`${file}: metric ${m.name}: the query cannot be pulled as a curve: ${why}`, 'give `curve pull` a metric whose query is one aggregate over the window, e.g. "* | select approx_distinct(device_id) as active_devices"');
  if (m.labelColumns.length) throw fail(`it has labelColumns (${m.labelColumns.join(', ')}): one series per label, not one curve`);
  const bar = m.query.indexOf('|');
  if (bar < 0) throw fail('it has no SQL part (`<search> | select …`), so it returns log lines, not a value');
  const search = m.query.slice(0, bar).trim() || '*';
  const sql = m.query.slice(bar + 1).trim();
  // Quoted strings and quoted names are data: a where value "group by" must not count.
  const bare = sql.toLowerCase().replace(/'(?:[^']|'')*'|"[^"]*"/g, "''");
  const sel = /^select\s+/.exec(bare);
  if (!sel) throw fail('its SQL part does not start with SELECT');
  for (const [re, why] of NOT_BUCKETABLE) if (re.test(bare)) throw fail(why);
  if (!new RegExp(`(^|[^\\w])${m.valueColumn.toLowerCase()}([^\\w]|$)`).test(bare)) throw fail(`its SELECT has no column ${m.valueColumn} (valueColumn)`);
  const rest = sql.slice(sel[0].length).trim();
  return `${search} | select __time__ - __time__ % ${step} as ${BUCKET_COLUMN}, ${rest} group by ${BUCKET_COLUMN} order by ${BUCKET_COLUMN} limit ${limit}`;
}

export class BadAnswer extends Error {}

/** One page's rows → bucket start → value; every row must be a bucket of the page with a count. */
export function pageValues(body: unknown, page: { from: number; to: number }, step: number, valueColumn: string): Map<number, number> {
  if (!Array.isArray(body)) throw new BadAnswer(`expected a JSON array of rows, got ${typeof body === 'string' ? `text: ${body.slice(0, 80)}` : typeof body}`);
  const out = new Map<number, number>();
  body.forEach((row: unknown, i) => {
    const r = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
    const t = Number(r[BUCKET_COLUMN]);
    const raw = r[valueColumn];
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(t) || t % step !== 0 || t < page.from || t >= page.to) throw new BadAnswer(`row ${i}: ${BUCKET_COLUMN} ${JSON.stringify(r[BUCKET_COLUMN])} is not a bucket of ${iso(page.from)} … ${iso(page.to)}`);
    if (!Number.isFinite(v)) throw new BadAnswer(`row ${i}: ${valueColumn} is ${JSON.stringify(raw)}, not a non-negative number`);
    out.set(t, v);
  });
  return out;
}

export interface Provenance {
  project: string;
  logstore: string;
  metric: string;
  query: string;
  range: PullRange;
  pulledAt: Date;
  version: string;
}

/**
 * The curve CSV: provenance as `#` comment lines (scenarios/curve.ts skips them), then `time,devices`
 * with one row per bucket start; a bucket SLS did not answer had no events, so it is 0.
 */
export function curveCsv(p: Provenance, values: Map<number, number>): string {
  const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ');
  const lines = [
    `# pulled by ebbflow ${p.version} curve pull at ${p.pulledAt.toISOString()}`,
    `# project: ${p.project}`,
    `# logstore: ${p.logstore}`,
    `# metric: ${p.metric}`,
    `# query: ${oneLine(p.query)}`,
    `# range: ${iso(p.range.from)} … ${iso(p.range.to)} (UTC, end exclusive)`,
    `# step: ${formatDuration(p.range.step)} (each row: the query over [time, time + step))`,
    'time,devices',
  ];
  for (let t = p.range.from; t < p.range.to; t += p.range.step) lines.push(`${iso(t)},${values.get(t) ?? 0}`);
  return lines.join('\n') + '\n';
}
