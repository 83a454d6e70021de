import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkTimeZone, nextFire, parseSchedule, ScheduleError, wallTime, type CronSchedule } from './schedule.ts';

const at = (iso: string) => Date.parse(iso);

// Both zones used here have no DST, so a fixed offset gives the wall time cheaply for the brute scan.
const OFFSET: Record<string, number> = { UTC: 0, 'Asia/Shanghai': 8 * 3600_000 };

function matches(s: CronSchedule, ms: number, tz: string): boolean {
  const d = new Date(ms + OFFSET[tz]!);
  const w = { second: d.getUTCSeconds(), minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay() };
  const dom = s.dom.has(w.day);
  const dow = s.dow.has(w.weekday);
  return s.second.has(w.second) && s.minute.has(w.minute) && s.hour.has(w.hour) && s.month.has(w.month) && (s.dayAnd ? dom && dow : dom || dow);
}

describe('parseSchedule', () => {
  it('reads six fields with seconds, ranges, steps, lists and names', () => {
    const s = parseSchedule('30 0/15 8-10 * jan-mar mon,fri');
    expect([...s.second]).toEqual([30]);
    expect([...s.minute]).toEqual([0, 15, 30, 45]);
    expect([...s.hour]).toEqual([8, 9, 10]);
    expect([...s.month]).toEqual([1, 2, 3]);
    expect([...s.dow]).toEqual([1, 5]);
    expect(s.dayAnd).toBe(true);
  });
  it('takes five fields as dow *, like the upstream parser', () => {
    expect(parseSchedule('0 0 8 * *').dow.size).toBe(7);
  });
  it('refuses what upstream refuses, naming the part', () => {
    for (const bad of ['', '* * *', '60 * * * * *', '* * 24 * * *', '* * * 0 * *', '* * * * * 7', '5-1 * * * * *', '*/0 * * * * *', '* * * * * * *', '@every 5m', '@date 2024-02-30 10:00:00']) {
      expect(() => parseSchedule(bad), bad).toThrow(ScheduleError);
    }
  });
});

describe('nextFire', () => {
  it('fires at the scheduled second, strictly after now', () => {
    const s = parseSchedule('15 30 9 * * *');
    expect(nextFire(s, at('2024-05-06T09:30:14Z'))).toBe(at('2024-05-06T09:30:15Z'));
    expect(nextFire(s, at('2024-05-06T09:30:15Z'))).toBe(at('2024-05-07T09:30:15Z'));
    expect(nextFire(s, at('2024-05-06T09:30:14.500Z'))).toBe(at('2024-05-06T09:30:15Z'));
  });
  it('evaluates on the wall clock of the time zone', () => {
    const s = parseSchedule('0 0 8 * * *');
    // 08:00 in Shanghai (UTC+8, no DST) is 00:00 UTC.
    expect(nextFire(s, at('2024-05-06T12:00:00Z'), 'Asia/Shanghai')).toBe(at('2024-05-07T00:00:00Z'));
    expect(nextFire(s, at('2024-05-06T12:00:00Z'), 'UTC')).toBe(at('2024-05-07T08:00:00Z'));
  });
  it('@date fires on that date and, the year being ignored upstream, on it every year', () => {
    const s = parseSchedule('@date 2024-05-06 10:00:05');
    expect(nextFire(s, at('2024-01-01T00:00:00Z'))).toBe(at('2024-05-06T10:00:05Z'));
    expect(nextFire(s, at('2024-05-06T10:00:05Z'))).toBe(at('2025-05-06T10:00:05Z'));
  });
  it('either day field when both are restricted, both when one is *', () => {
    // 2024-05-06 is a Monday.
    expect(nextFire(parseSchedule('0 0 0 10 * mon'), at('2024-05-05T12:00:00Z'))).toBe(at('2024-05-06T00:00:00Z'));
    expect(nextFire(parseSchedule('0 0 0 * * mon'), at('2024-05-07T12:00:00Z'))).toBe(at('2024-05-13T00:00:00Z'));
  });
  it('never for a date that does not come within five years', () => {
    expect(nextFire(parseSchedule('0 0 0 31 2 *'), at('2024-01-01T00:00:00Z'))).toBeUndefined();
  });
  it('property: the result matches, is after now, and no earlier second matches', () => {
    const field = (min: number, max: number) =>
      fc.oneof(fc.constant('*'), fc.integer({ min, max }).map(String), fc.tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: 7 })).map(([a, s]) => `${a}/${s}`));
    const spec = fc.tuple(field(0, 59), field(0, 59), field(0, 23), fc.constantFrom('*', '?'), fc.constantFrom('*'), fc.constantFrom('*')).map((f) => f.join(' '));
    const tz = fc.constantFrom('UTC', 'Asia/Shanghai');
    fc.assert(
      fc.property(spec, fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2026-01-01T00:00:00Z') }), tz, (src, now, zone) => {
        const s = parseSchedule(src);
        const n = nextFire(s, now, zone)!;
        expect(n).toBeGreaterThan(now);
        expect(n % 1000).toBe(0);
        expect(matches(s, n, zone)).toBe(true);
        expect(wallTime(n, zone).hour).toBe(new Date(n + OFFSET[zone]!).getUTCHours());
        // Every such schedule fires at least daily, so a scan of the seconds before it is bounded.
        for (let t = Math.floor(now / 1000) * 1000 + 1000; t < n; t += 1000) if (matches(s, t, zone)) return false;
        return true;
      }),
      { numRuns: 40 },
    );
  });
});

describe('checkTimeZone', () => {
  it('accepts IANA names and refuses others', () => {
    expect(checkTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});
