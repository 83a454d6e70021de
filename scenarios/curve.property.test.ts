import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UserError } from '../core/errors.ts';
import { DAY_SECONDS, parseCurveCsv, type Curve } from './curve.ts';

/** CPU milliseconds this process spent since `c0` (all its threads). */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};

/**
 * The curve parser meets hand-edited CSVs and SLS exports: random and mutated text ends in a curve
 * of finite non-negative values or a UserError, quickly; good curves keep their points; dated rows
 * keep their days.
 */

const CELLS = ['', '"', '""', ',', '00:00', '07:30', '23:59', '24:00', '25:00', '1', '0', '-1', '0x1F', '1,000', '"1,000"', '"5"', 'NaN', 'Infinity', '1e400', '1e3',
  '2026-01-05T08:00:00Z', '2026-02-30T08:00:00Z', '2026-01-06 09:00', '1767600000', 'time', 'devices', '__time__', 'active_devices', 'value', '#', ' ', '\r', '\ufeff', '😀'];
const BASE = 'time,devices\n00:00,100\n06:00,400\n12:00,1200\n18:00,800\n23:59,150\n';

const edit = fc.oneof(
  fc.record({ at: fc.nat(), del: fc.constant(0), text: fc.constantFrom(...CELLS, '\n', ',') }),
  fc.record({ at: fc.nat(), del: fc.integer({ min: 1, max: 6 }), text: fc.constant('') }),
);
const mutated = fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) =>
  edits.reduce((s, e) => {
    const at = e.at % (s.length + 1);
    return s.slice(0, at) + e.text + s.slice(at + e.del);
  }, BASE),
);
const rows = fc
  .array(fc.array(fc.constantFrom(...CELLS), { minLength: 0, maxLength: 4 }), { maxLength: 12 })
  .map((rs) => [['time', 'devices'], ...rs].map((r) => r.join(',')).join('\n'));
const anyCsv = fc.oneof(fc.string({ maxLength: 300 }), rows, mutated);

function parseOrError(text: string, day?: string): Curve | UserError {
  const c0 = process.cpuUsage();
  try {
    return parseCurveCsv(text, 'p.csv', { day });
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`${(e as Error).name} for ${JSON.stringify(text)}: ${(e as Error).message}`);
    return e;
  } finally {
    // A hang guard, not a speed target: CPU time, which a loaded machine does not stretch.
    expect(cpuMs(c0)).toBeLessThan(2000);
  }
}

describe('curve parser (property)', () => {
  it('random and mutated CSV ends in a sane curve or a UserError naming the file', () => {
    fc.assert(
      fc.property(anyCsv, fc.option(fc.constantFrom('2026-01-05', '2026-01-06', '2026-02-30'), { nil: undefined }), (text, day) => {
        const r = parseOrError(text, day);
        if (r instanceof UserError) {
          expect(r.message).toMatch(/^p\.csv/);
          return;
        }
        expect(r.values.length).toBeGreaterThan(1);
        for (const v of r.values) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  it('a good clock curve goes through its points', () => {
    const pts = fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 2, maxLength: 40 }).chain((ms) => fc.tuple(fc.constant([...ms].sort((a, b) => a - b)), fc.array(fc.integer({ min: 0, max: 1e7 }), { minLength: ms.length, maxLength: ms.length })));
    fc.assert(
      fc.property(pts, ([mins, vals]) => {
        const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        const c = parseCurveCsv(`time,devices\n${mins.map((m, i) => `${hhmm(m)},${vals[i]}`).join('\n')}\n`, 'g.csv');
        mins.forEach((m, i) => expect(c.at(m * 60)).toBeCloseTo(vals[i]!, 6));
      }),
      { numRuns: 200 },
    );
  });

  it('dated rows are never folded: each day keeps its own values', () => {
    const days = fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(days, fc.integer({ min: 0, max: 20_000 }), (levels, startDay) => {
        const t0 = (20_000 + startDay) * DAY_SECONDS;
        const lines = levels.flatMap((v, d) => [`${t0 + d * DAY_SECONDS + 3600},${v}`, `${t0 + d * DAY_SECONDS + 7200},${v}`]);
        const c = parseCurveCsv(`__time__,value\n${lines.join('\n')}\n`, 'd.csv');
        expect(c.days).toBe(levels.length);
        levels.forEach((v, d) => expect(c.at(d * DAY_SECONDS + 5400)).toBeCloseTo(v, 6));
        const pick = new Date((t0 + (levels.length - 1) * DAY_SECONDS) * 1000).toISOString().slice(0, 10);
        expect(parseCurveCsv(`__time__,value\n${lines.join('\n')}\n`, 'd.csv', { day: pick }).at(5400)).toBeCloseTo(levels.at(-1)!, 6);
      }),
      { numRuns: 100 },
    );
  });
});
