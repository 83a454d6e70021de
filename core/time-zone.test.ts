import { describe, expect, it } from 'vitest';
import { formatClock, formatLocal, isTimeZone, localClock, localTimeToInstant, zoneOffsetMs } from './time-zone.ts';

const H = 3_600_000;

describe('time zones', () => {
  it('knows IANA names and refuses others', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Asia/Beijing')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone('../etc/passwd')).toBe(false);
  });

  it('reads an instant as the local clock', () => {
    const t = Date.UTC(2026, 0, 5, 0, 0); // 08:00 in Shanghai, a Monday
    expect(localClock(t, 'Asia/Shanghai')).toEqual({ date: '2026-01-05', hour: 8, minute: 0, second: 0, secondOfDay: 8 * 3600, weekday: 1 });
    expect(localClock(Date.UTC(2026, 0, 4, 20), 'Asia/Shanghai').date).toBe('2026-01-05');
    expect(zoneOffsetMs(t, 'Asia/Shanghai')).toBe(8 * H);
    expect(zoneOffsetMs(t, 'UTC')).toBe(0);
    expect(formatClock(t + 30_000, 'Asia/Shanghai', true)).toBe('08:00:30');
    expect(formatLocal(t, 'Asia/Shanghai')).toBe('2026-01-05 08:00 Asia/Shanghai');
  });

  it('turns a local time of day into the instant, round trip', () => {
    expect(localTimeToInstant('2026-01-05', 0, 'Asia/Shanghai')).toBe(Date.UTC(2026, 0, 4, 16));
    expect(localTimeToInstant('2026-01-05', 8 * 3600, 'Asia/Shanghai')).toBe(Date.UTC(2026, 0, 5, 0));
    expect(localTimeToInstant('2026-01-05', 86_400, 'Asia/Shanghai')).toBe(Date.UTC(2026, 0, 5, 16));
    expect(localTimeToInstant('2026-01-05', 6.5 * 3600)).toBe(Date.UTC(2026, 0, 5, 6, 30));
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata']) {
      for (let s = 0; s < 86_400; s += 3_700) {
        const c = localClock(localTimeToInstant('2026-07-14', s, zone), zone);
        expect([c.date, c.secondOfDay]).toEqual(['2026-07-14', s]);
      }
    }
  });

  it('daylight-saving days: a skipped time moves forward, a repeated one is its first occurrence', () => {
    // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT.
    expect(localTimeToInstant('2026-03-08', 2.5 * 3600, 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 7, 30));
    expect(formatClock(Date.UTC(2026, 2, 8, 7, 30), 'America/New_York')).toBe('03:30');
    expect(localTimeToInstant('2026-03-08', 1 * 3600, 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 6));
    expect(localTimeToInstant('2026-03-08', 10 * 3600, 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 14));
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
    expect(localTimeToInstant('2026-11-01', 1.5 * 3600, 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 5, 30));
    expect(localTimeToInstant('2026-11-01', 10 * 3600, 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 15));
  });
});
