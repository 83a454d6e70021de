import { basename } from 'node:path';
import { UserError } from '../harness/common/errors.ts';
import { readUserFile } from '../harness/common/files.ts';

/**
 * A daily active-device curve: values at a fixed step from 00:00 (UTC seconds of day), linearly
 * interpolated between points and held flat beyond the last point (a day does not wrap into the
 * next one: a replay window never crosses midnight).
 */
export interface Curve {
  name: string;
  stepSeconds: number;
  values: number[];
  at(secondOfDay: number): number;
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

/** A time cell of a CSV: clock time, ISO timestamp or epoch seconds (an SLS export) → seconds of day (UTC). */
function timeCell(cell: string): number | undefined {
  const c = cell.trim().replace(/^"|"$/g, '');
  const clock = clockSeconds(c);
  if (clock !== undefined) return clock;
  if (/^\d{9,11}(\.\d+)?$/.test(c)) return Math.floor(Number(c)) % DAY_SECONDS;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(c)) {
    const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(c) ? c : `${c.replace(' ', 'T')}Z`);
    if (Number.isFinite(ms)) return Math.floor(ms / 1000) % DAY_SECONDS;
  }
  return undefined;
}

/**
 * Parses `time,devices` CSV (header required; column names may also be `__time__` and any one numeric
 * column, like an SLS query export). Points are sorted, resampled to one minute by interpolation.
 */
export function parseCurveCsv(text: string, file: string): Curve {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const ti = header.findIndex((h) => h === 'time' || h === '__time__' || h === 'timestamp');
  const vi = header.findIndex((h, i) => i !== ti && (h === 'devices' || h === 'active_devices' || h === 'value'));
  if (ti < 0 || vi < 0) throw new UserError(`${file}:1: header must name a time column (time, __time__ or timestamp) and a value column (devices, active_devices or value); got "${lines[0] ?? ''}"`);
  const pts: [number, number][] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (!line.trim() || line.startsWith('#')) continue;
    const cells = line.split(',');
    const t = timeCell(cells[ti] ?? '');
    const v = Number((cells[vi] ?? '').trim().replace(/^"|"$/g, ''));
    if (t === undefined) throw new UserError(`${file}:${n + 1}: "${cells[ti] ?? ''}" is not a time (use HH:MM, an ISO timestamp or epoch seconds)`);
    if (!Number.isFinite(v) || v < 0) throw new UserError(`${file}:${n + 1}: "${cells[vi] ?? ''}" is not a non-negative number of devices`);
    pts.push([t, v]);
  }
  if (pts.length < 2) throw new UserError(`${file}: a curve needs at least two points, found ${pts.length}`);
  pts.sort((a, b) => a[0] - b[0]);
  return resample(basename(file).replace(/\.csv$/i, ''), pts, 60);
}

/** Points (seconds of day, value) → a curve at a fixed step, linear in between, flat beyond the ends. */
export function resample(name: string, pts: [number, number][], step: number): Curve {
  const n = Math.floor(DAY_SECONDS / step) + 1;
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

export async function loadCurveFile(path: string): Promise<Curve> {
  return parseCurveCsv(await readUserFile(path, 'curve', 'give a CSV with a header `time,devices`'), path);
}
