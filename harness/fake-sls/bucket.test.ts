import { describe, expect, it } from 'vitest';
import { ColumnarStore } from './columnar.ts';
import { execute, executeBucketed, parseQuery, QueryError } from './query.ts';
import { EventStore } from './store.ts';

const Q = '* | select __time__ - __time__ % 60 as t, approx_distinct(device_id) as n, count(*) as c group by t order by t limit 1000';

describe('time-bucketed queries', () => {
  it('parse: the bucket is the group by column, order by needs a bucket', () => {
    const q = parseQuery(Q);
    expect(q.select!.bucket).toEqual({ alias: 't', seconds: 60 });
    expect(q.select!.groupBy).toBeUndefined();
    expect(q.select!.orderBy).toEqual({ col: 't', desc: false });
    expect(() => parseQuery('* | select __time__ - __time__ % 60 as t, count(*) as c')).toThrow(/'t' must be an aggregate expression or appear in GROUP BY/);
    expect(() => parseQuery('* | select count(*) as c order by c')).toThrow(QueryError);
    expect(() => parseQuery('* | select __time__ - __time__ % 0 as t, count(*) as c group by t')).toThrow(/time bucket/);
    expect(() => parseQuery('* | select __time__ - 5 as t, count(*) as c group by t')).toThrow(/time bucket/);
    expect(() => parseQuery('* | select __time__ - __time__ % 60 as t, count(*) as c group by t order by x')).toThrow(/order by x/);
  });

  it('answers one row per non-empty bucket, in order, the same on both stores', () => {
    const events = [
      ...[0, 10, 20].map((s) => ({ time: 6000 + s, fields: { device_id: `a${s % 20}` } })),
      { time: 6130, fields: { device_id: 'b' } },
      { time: 6179, fields: { device_id: 'c' } },
      { time: 6180, fields: { device_id: 'late' } },
    ];
    const q = parseQuery(Q);
    const want = [
      { t: '6000', n: '2', c: '3' },
      { t: '6120', n: '2', c: '2' },
    ];
    for (const store of [new EventStore(1e6, 1e9), new ColumnarStore(1e6, 1e9)]) {
      store.append('p', 'l', events, 7000);
      const run = (from: number, to: number, flat: ReturnType<typeof parseQuery>) =>
        store instanceof ColumnarStore ? store.query('p', 'l', from, to, flat) : execute(flat, store.window('p', 'l', from, to));
      const rows = executeBucketed(q, 5990, 6180, run);
      expect(rows.map((r) => ({ t: r.t, n: r.n, c: r.c }))).toEqual(want);
    }
    const desc = executeBucketed(parseQuery(Q.replace('order by t', 'order by t desc')), 0, 7000, (f, t, flat) => execute(flat, events.filter((e) => e.time >= f && e.time < t)));
    expect(desc.map((r) => r.t)).toEqual(['6180', '6120', '6000']);
    const limited = executeBucketed(parseQuery(Q.replace('limit 1000', 'limit 1')), 0, 7000, (f, t, flat) => execute(flat, events.filter((e) => e.time >= f && e.time < t)));
    expect(limited.map((r) => r.t)).toEqual(['6000']);
  });
});
