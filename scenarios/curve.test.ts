import { describe, expect, it } from 'vitest';
import { calendarDayMs, curveAtEpochMs, parseCurveCsv, parseCurveDays } from './curve.ts';

const csv = (rows: string[]) => `time,devices\n${rows.join('\n')}\n`;

describe('curve cells are strict numbers, errors name file:line and column', () => {
  it.each([
    ['empty cell', csv(['00:00,5', '00:01,']), /c\.csv:3: devices: is empty/],
    ['short row', csv(['00:00,5', '00:01']), /c\.csv:3: this row has a different number of cells/],
    ['quoted thousands', csv(['00:00,5', '00:01,"1,000"']), /c\.csv:3: devices: has a thousands separator/],
    ['hex', csv(['00:00,5', '00:01,0x10']), /c\.csv:3: devices: is hexadecimal/],
    ['negative', csv(['00:00,5', '00:01,-1']), /c\.csv:3: devices: is negative/],
    ['infinite', csv(['00:00,5', '00:01,Infinity']), /c\.csv:3: devices: is not a plain decimal/],
    ['overflow', csv(['00:00,5', '00:01,1e400']), /c\.csv:3: devices: is not finite/],
    ['unit mistake', csv(['00:00,5', '00:01,5e12']), /c\.csv:3: devices: is above/],
    ['unclosed quote', csv(['00:00,5', '00:01,"5']), /c\.csv:\d+: a quoted cell is never closed/],
    ['duplicate time', csv(['00:00,5', '00:01,6', '00:01,7']), /c\.csv:4: the same time as line 3/],
    ['rolled date', '__time__,value\n2026-02-30T08:00:00Z,1\n2026-02-30T08:01:00Z,2\n', /c\.csv:2: __time__: not a time/],
  ])('%s is an error', (_what, text, re) => {
    expect(() => parseCurveCsv(text, 'c.csv')).toThrow(re);
  });

  it('reads a quoted plain number as that number (quoting is CSV syntax, not meaning)', () => {
    expect(parseCurveCsv(csv(['00:00,"1000"', '00:10,"2000"']), 'q.csv').at(300)).toBeCloseTo(1500);
  });

  it('never echoes file content unless asked to', () => {
    const secret = 'root:$6$saltsalt$hash:19000:0:99999:7:::';
    for (const text of [`${secret}\nbin:x\n`, `time,devices\n00:00,1\n00:01,${secret}\n`, `time,devices\n${secret},1\n00:01,1\n`, `time,devices\n00:00,"${secret}\n`]) {
      let msg = '';
      try {
        parseCurveCsv(text, '/etc/shadow');
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(/^\/etc\/shadow:\d+/);
      expect(msg).not.toContain('root');
      expect(msg).not.toContain('saltsalt');
    }
    expect(() => parseCurveCsv('time,devices\n00:00,1\n00:01,abc\n', 'mine.csv', { echo: true })).toThrow(/got "abc"/);
  });
});

describe('multi-day exports are never folded into one day', () => {
  const twoDays = '__time__,active_devices\n2026-01-05T08:00:00Z,100\n2026-01-05T09:00:00Z,100\n2026-01-06T08:00:00Z,900\n2026-01-06T09:00:00Z,900\n';

  it('keeps whole days in order without a day', () => {
    const c = parseCurveCsv(twoDays, 'x.csv');
    expect(c.days).toBe(2);
    expect(c.startMs).toBe(Date.parse('2026-01-05T00:00:00Z'));
    expect(c.at(8.5 * 3600)).toBeCloseTo(100);
    expect(c.at(86_400 + 8.5 * 3600)).toBeCloseTo(900);
  });

  it('picks one day, and refuses a day the export lacks', () => {
    const d2 = parseCurveCsv(twoDays, 'x.csv', { day: '2026-01-06' });
    expect(d2.days).toBe(1);
    expect(d2.at(8.5 * 3600)).toBeCloseTo(900);
    expect(d2.values.every((v) => v === 900)).toBe(true);
    expect(() => parseCurveCsv(twoDays, 'x.csv', { day: '2026-01-07' })).toThrow(/day 2026-01-07 has 0 row\(s\); the file covers 2026-01-05, 2026-01-06/);
    expect(() => parseCurveCsv(csv(['00:00,1', '00:01,2']), 'x.csv', { day: '2026-01-05' })).toThrow(/clock times only/);
  });

  it('answers by date when kept whole, by time of day when one day (what fake-sls --curve serves)', () => {
    const whole = curveAtEpochMs(parseCurveCsv(twoDays, 'x.csv'));
    expect(whole(Date.parse('2026-01-05T08:30:00Z'))).toBeCloseTo(100);
    expect(whole(Date.parse('2026-01-06T08:30:00Z'))).toBeCloseTo(900);
    const one = curveAtEpochMs(parseCurveCsv(twoDays, 'x.csv', { day: '2026-01-06' }));
    expect(one(Date.parse('2030-07-01T08:30:00Z'))).toBeCloseTo(900);
  });

  it('reads epoch seconds and ISO offsets as absolute times', () => {
    const c = parseCurveCsv('__time__,value\n1767600000,10\n2026-01-05T10:30:00+02:00,20\n', 'e.csv');
    expect(c.days).toBe(1);
    expect(c.at(8.5 * 3600)).toBeCloseTo(20);
    expect(c.at(8.25 * 3600)).toBeCloseTo(15);
  });
});

describe('parseCurveDays cuts an export into its days', () => {
  // What `curve pull --from now-2d` writes: the first and the last day covered in part.
  const rows = ['time,devices'];
  for (let t = Date.parse('2026-01-05T20:00:00Z'); t < Date.parse('2026-01-07T06:00:00Z'); t += 15 * 60_000) rows.push(`${new Date(t).toISOString()},${new Date(t).getUTCDate() * 100}`);
  const text = `${rows.join('\n')}\n`;

  it('each day from its own rows, with the part of the day they cover', () => {
    const days = parseCurveDays(text, 'h.csv');
    expect(days.map((d) => d.day)).toEqual(['2026-01-05', '2026-01-06', '2026-01-07']);
    expect(days.map((d) => [d.from, d.to])).toEqual([[20 * 3600, 86_400], [0, 86_400], [0, 6 * 3600]]);
    // Not padded from a neighbour: the first day holds its own first row before 20:00.
    expect(days[0]!.curve.at(3600)).toBe(500);
    expect(days[1]!.curve.at(12 * 3600)).toBe(600);
    expect(days[2]!.curve.at(3 * 3600)).toBe(700);
  });

  it("cuts at the zone's midnight", () => {
    const days = parseCurveDays(text, 'h.csv', { timeZone: 'Asia/Shanghai' });
    // 2026-01-05T20:00Z is 04:00 on the 6th in Shanghai; 2026-01-07T05:45Z is 13:45 there.
    expect(days.map((d) => d.day)).toEqual(['2026-01-06', '2026-01-07']);
    expect(days.map((d) => [d.from, d.to])).toEqual([[4 * 3600, 86_400], [0, 14 * 3600]]);
    expect(days[0]!.curve.at(7 * 3600)).toBe(500);
    expect(days[0]!.curve.at(9 * 3600)).toBe(600);
  });

  it('a file of clock times is one unnamed day; a bad row names file:line', () => {
    const one = parseCurveDays(csv(['00:00,1', '00:30,2', '23:30,3']), 'c.csv');
    expect(one.map((d) => [d.day, d.from, d.to])).toEqual([[undefined, 0, 86_400]]);
    expect(() => parseCurveDays(`${text}2026-01-07T07:00:00Z,x\n`, 'h.csv')).toThrow(/h\.csv:\d+: devices: is not a plain decimal number/);
  });
});

describe('calendarDayMs', () => {
  it('accepts real dates only', () => {
    expect(calendarDayMs('2024-02-29')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '26-01-01', '1969-12-31']) expect(calendarDayMs(bad), bad).toBeUndefined();
  });
});
