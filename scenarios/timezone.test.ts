import { describe, expect, it } from 'vitest';
import { parseScenario } from './index.ts';
import { parseCurveCsv } from './curve.ts';

const base = 'name: t\ncurve: {steps: [["00:00", 1], ["08:00", 9]]}\nwindows: [{start: "07:00", end: "09:00"}]\nday: "2026-01-05"\n';

describe('scenario timezone', () => {
  it('defaults to UTC: the day starts at 00:00 UTC', async () => {
    const s = await parseScenario(base, 't.yaml');
    expect(s.timezone).toBe('UTC');
    expect(s.dayStartMs).toBe(Date.UTC(2026, 0, 5));
  });

  it('puts the day, the windows and clock-time curves on the zone\'s clock', async () => {
    const s = await parseScenario(`${base}timezone: Asia/Shanghai\n`, 't.yaml');
    expect(s.dayStartMs).toBe(Date.UTC(2026, 0, 4, 16));
    // The window 07:00–09:00 Shanghai is 23:00–01:00 UTC.
    expect(s.windows.map((w) => [s.dayStartMs + w.start * 1000, s.dayStartMs + w.end * 1000])).toEqual([[Date.UTC(2026, 0, 4, 23), Date.UTC(2026, 0, 5, 1)]]);
    // The step at 08:00 is 08:00 in Shanghai.
    expect(s.curve.at(8 * 3600)).toBe(9);
  });

  it('refuses a name that is not an IANA zone, naming file:line and the field', async () => {
    await expect(parseScenario(`${base}timezone: Asia/Beijing\n`, 't.yaml')).rejects.toThrow(/t\.yaml:5:\d+: timezone: an IANA time zone name/);
  });

  it('cuts a dated export into the zone\'s days at its clock times', () => {
    // 2026-01-04T23:00Z is 07:00 on the 5th in Shanghai; 2026-01-05T16:30Z is 00:30 on the 6th.
    const csv = 'time,devices\n2026-01-04T23:00:00Z,100\n2026-01-05T01:00:00Z,300\n2026-01-05T16:30:00Z,700\n2026-01-05T17:00:00Z,900\n';
    const c = parseCurveCsv(csv, 'x.csv', { day: '2026-01-05', timeZone: 'Asia/Shanghai' });
    expect(c.at(7 * 3600)).toBe(100);
    expect(c.at(9 * 3600)).toBe(300);
    const next = parseCurveCsv(csv, 'x.csv', { day: '2026-01-06', timeZone: 'Asia/Shanghai' });
    expect(next.at(30 * 60)).toBe(700);
    // In UTC the same rows are other days and hours.
    expect(parseCurveCsv(csv, 'x.csv', { day: '2026-01-05' }).at(3600)).toBe(300);
  });
});
