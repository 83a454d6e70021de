import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ColumnarStore } from './columnar.ts';
import { execute, parseQuery } from './query.ts';
import { EventStore, type StoredEvent } from './store.ts';

const QUERIES = [
  '*',
  'region: hz',
  'constructor: x',
  '* | select count(*) as n',
  '* | select count(1) as n, count(v) as c',
  '* | select approx_distinct(device_id) as d',
  'region: sh | select count(distinct device_id) as d where v > 3',
  "* | select count(*) as n where region != 'hz' and v <= 5",
  '* | select region, approx_distinct(device_id) as d group by region',
  '* | select region, count(*) as n group by region limit 1',
  'region: nowhere | select count(*) as n',
];

const event = fc.record({
  time: fc.integer({ min: 90, max: 130 }),
  device: fc.integer({ min: 0, max: 20 }),
  region: fc.constantFrom('hz', 'sh', undefined),
  v: fc.constantFrom('1', '4', '9', 'abc', undefined),
  odd: fc.constantFrom('x', undefined),
});

function toStored(e: { time: number; device: number; region?: string; v?: string; odd?: string }): StoredEvent {
  const fields = Object.create(null) as Record<string, string>;
  fields.device_id = `d${e.device}`;
  if (e.region) fields.region = e.region;
  if (e.v) fields.v = e.v;
  const odd: string = 'constructor';
  if (e.odd) fields[odd] = e.odd;
  return { time: e.time, fields };
}

const sortRows = (rows: Record<string, string>[]) => rows.map((r) => JSON.stringify(Object.entries(r).sort())).sort();

describe('columnar store', () => {
  it('answers every query exactly as the query engine over the object store', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), fc.integer({ min: 20, max: 300 }), (evs, max) => {
        const objects = new EventStore(max, 25);
        const columns = new ColumnarStore(max, 25);
        const stored = evs.map(toStored);
        for (let i = 0; i < stored.length; i += 7) {
          objects.append('p', 'l', stored.slice(i, i + 7), 120);
          columns.append('p', 'l', stored.slice(i, i + 7), 120);
        }
        expect(columns.size('p', 'l')).toBe(objects.size('p', 'l'));
        for (const q of QUERIES) {
          const want = execute(parseQuery(q), objects.window('p', 'l', 100, 125));
          expect(sortRows(columns.query('p', 'l', 100, 125, parseQuery(q))), q).toEqual(sortRows(want));
        }
        expect(columns.window('p', 'l', 0, 200).map((e) => ({ ...e.fields }))).toEqual(objects.window('p', 'l', 0, 200).map((e) => ({ ...e.fields })));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps at most maxEvents across segments and drops rows older than the retention', () => {
    const s = new ColumnarStore(20_000, 60);
    for (let i = 0; i < 50_000; i += 1000) s.append('p', 'l', Array.from({ length: 1000 }, (_, k) => ({ time: 1000, fields: { i: String(i + k) } })), 1000);
    expect(s.size('p', 'l')).toBe(20_000);
    expect(s.window('p', 'l', 0, 2000)[0]!.fields.i).toBe('30000');
    s.append('p', 'l', [{ time: 1100, fields: { i: 'new' } }], 1100);
    expect(s.size('p', 'l')).toBe(1);
    expect(s.dropped).toBe(50_000);
  });

  it('counts a million distinct devices exactly', () => {
    const s = new ColumnarStore(2_000_000, 3600);
    for (let i = 0; i < 1_000_000; i += 10_000) s.append('p', 'l', Array.from({ length: 10_000 }, (_, k) => ({ time: 100, fields: { device_id: `dev-${i + k}` } })), 100);
    expect(s.query('p', 'l', 0, 200, parseQuery('* | select approx_distinct(device_id) as d'))).toEqual([{ d: '1000000', __source__: '', __time__: '0' }]);
  });
});

describe('Dict', () => {
  it('gives each distinct string one stable code across table growth, and finds exactly the strings it was given', async () => {
    const { Dict } = await import('./columnar.ts');
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 3000 }), fc.array(fc.string(), { maxLength: 50 }), (values, probes) => {
        const d = new Dict();
        const first = new Map<string, number>();
        for (const v of values) {
          const c = d.code(v);
          if (!first.has(v)) first.set(v, c);
          expect(c).toBe(first.get(v));
        }
        expect(new Set(first.values()).size).toBe(first.size);
        for (const [v, c] of first) {
          expect(d.find(v)).toBe(c);
          expect(d.values[c]).toBe(v);
        }
        for (const p of probes) expect(d.find(p)).toBe(first.get(p) ?? -1);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps codes after many distinct values (several doublings of its table)', async () => {
    const { Dict } = await import('./columnar.ts');
    const d = new Dict();
    const ids = Array.from({ length: 50_000 }, (_, i) => `dev-${i}`);
    const codes = ids.map((v) => d.code(v));
    expect(codes).toEqual(ids.map((_, i) => i + 1));
    expect(ids.every((v, i) => d.code(v) === i + 1 && d.find(v) === i + 1)).toBe(true);
    expect(d.find('dev-50000')).toBe(-1);
    expect(d.find('')).toBe(-1);
  });
});
