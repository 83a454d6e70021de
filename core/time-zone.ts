/**
 * Instants and local clock times in an IANA time zone, through Intl (the runtime's time zone
 * database; no dependency). A scenario's `timezone:` decides where its day starts, what its windows'
 * clock times mean and how reports label times; cron schedules evaluate in the same zone. Pure.
 *
 * Local times that do not exist or exist twice (a daylight-saving change) resolve as cron and most
 * schedulers do: a time in the spring-forward gap is moved forward by the gap, an ambiguous time in
 * the fall-back overlap is its first occurrence.
 */

export const DEFAULT_TIME_ZONE = 'UTC';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA time zone name this runtime knows ("Asia/Shanghai", "UTC"). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** A local calendar date and clock time. */
export interface LocalClock {
  /** YYYY-MM-DD in the zone. */
  date: string;
  hour: number;
  minute: number;
  second: number;
  /** Seconds since the local midnight by the clock (hour × 3600 + minute × 60 + second). */
  secondOfDay: number;
  /** 0 = Sunday … 6 = Saturday, as cron counts. */
  weekday: number;
}

/** Instant (epoch ms) → the local clock time in `zone`. */
export function localClock(instantMs: number, zone: string = DEFAULT_TIME_ZONE): LocalClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(instantMs))) parts[p.type] = p.value;
  const [hour, minute, second] = [Number(parts.hour), Number(parts.minute), Number(parts.second)];
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, hour, minute, second, secondOfDay: hour * 3600 + minute * 60 + second, weekday: new Date(`${date}T00:00:00Z`).getUTCDay() };
}

/** How far the zone's clock is ahead of UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(instantMs: number, zone: string = DEFAULT_TIME_ZONE): number {
  const t = Math.floor(instantMs / 1000) * 1000;
  const c = localClock(t, zone);
  const [y, mo, d] = c.date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, d, c.hour, c.minute, c.second) - t;
}

/**
 * The instant at which the clock in `zone` reads `secondOfDay` on the calendar date `date`
 * (YYYY-MM-DD). `secondOfDay` may be 86,400 (24:00, the next midnight) or more. A time skipped by a
 * daylight-saving change is moved forward by the change; a repeated time is its first occurrence.
 */
export function localTimeToInstant(date: string, secondOfDay: number, zone: string = DEFAULT_TIME_ZONE): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d) + secondOfDay * 1000;
  // Offsets a few hours either side cover every change of the day; try the earlier one first so an
  // ambiguous time resolves to its first occurrence.
  const before = zoneOffsetMs(wall - DAY_MS / 2, zone);
  const after = zoneOffsetMs(wall + DAY_MS / 2, zone);
  for (const off of before >= after ? [before, after] : [after, before]) {
    if (zoneOffsetMs(wall - off, zone) === off) return wall - off;
  }
  // In the spring-forward gap: the clock jumps past this time, so take the wall time read with the
  // offset before the change, which lands the same distance after the jump.
  return wall - before;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "08:00" (or "08:00:30" with seconds) in `zone`. */
export function formatClock(instantMs: number, zone: string = DEFAULT_TIME_ZONE, withSeconds = false): string {
  const c = localClock(instantMs, zone);
  return `${pad(c.hour)}:${pad(c.minute)}${withSeconds ? `:${pad(c.second)}` : ''}`;
}

/** "2026-01-05 08:00 Asia/Shanghai": an instant as a person in the zone reads it, zone named. */
export function formatLocal(instantMs: number, zone: string = DEFAULT_TIME_ZONE, withSeconds = false): string {
  return `${localClock(instantMs, zone).date} ${formatClock(instantMs, zone, withSeconds)} ${zone}`;
}
