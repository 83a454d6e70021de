import { describe, expect, it } from 'vitest';
import { parseCurveCsv } from '../../scenarios/curve.ts';
import { BadAnswer, BUCKET_COLUMN, bucketQuery, curveCsv, pageValues, parseTime, planPages, pullRange } from './plan.ts';

const NOW = Date.UTC(2026, 10, 26, 12, 34, 56) / 1000;
const D20 = Date.UTC(2026, 10, 20) / 1000;
const metric = { name: 'active_devices', query: '* | select approx_distinct(device_id) as active_devices', valueColumn: 'active_devices', labelColumns: [] as string[] };

describe('pull range', () => {
  it('reads dates, ISO times, epoch seconds and now-relative times', () => {
    expect(parseTime('2026-11-20', '--from', NOW)).toBe(D20);
    expect(parseTime('2026-11-20T08:00:00Z', '--from', NOW)).toBe(D20 + 8 * 3600);
    expect(parseTime('2026-11-20T08:00', '--from', NOW)).toBe(D20 + 8 * 3600);
    expect(parseTime('2026-11-20T08:00:00+08:00', '--from', NOW)).toBe(D20);
    expect(parseTime(String(D20), '--from', NOW)).toBe(D20);
    expect(parseTime('now-1d', '--from', NOW)).toBe(NOW - 86_400);
    expect(() => parseTime('2026-02-30', '--from', NOW)).toThrow(/--from 2026-02-30: not a time/);
    expect(() => parseTime('yesterday', '--to', NOW)).toThrow(/--to yesterday/);
  });

  it('rounds relative times down to the step and checks absolute ones', () => {
    const r = pullRange('now-1h', 'now', '1m', NOW);
    expect(r).toEqual({ from: NOW - 3600 - (NOW % 60), to: NOW - (NOW % 60), step: 60 });
  });

  it.each([
    ['2026-11-21', '2026-11-20', '1m', /is not before --to/],
    ['2026-11-20', '2026-11-20', '1m', /is not before --to/],
    ['2026-11-20', '2026-12-20', '1m', /is in the future/],
    ['2025-01-01', '2026-11-20', '1m', /longer than 366 days/],
    ['2026-11-20T00:00:30Z', '2026-11-20T01:00:00Z', '1m', /does not divide the range/],
    ['2026-11-20', '2026-11-21', '7m', /divide a day/],
    ['2026-11-20', '2026-11-21', '1.5s', /divide a day/],
    ['2026-11-20', '2026-11-21', 'soon', /--step soon/],
    ['2026-11-20', '2026-11-20T00:01:00Z', '1m', /at least two rows/],
  ])('refuses --from %s --to %s --step %s', (from, to, step, re) => {
    expect(() => pullRange(from, to, step, NOW)).toThrow(re);
  });

  it('pages by rows and by time range, in whole steps, covering the range once', () => {
    const r = { from: D20, to: D20 + 2 * 86_400, step: 60 };
    const pages = planPages(r, 1000, 86_400);
    expect(pages[0]).toEqual({ from: D20, to: D20 + 60_000 });
    expect(pages.at(-1)!.to).toBe(r.to);
    pages.slice(1).forEach((p, i) => expect(p.from).toBe(pages[i]!.to));
    expect(pages.every((p) => (p.to - p.from) % 60 === 0 && p.to - p.from <= 60_000)).toBe(true);
    expect(planPages({ from: D20, to: D20 + 3 * 86_400, step: 3600 }, 1000, 86_400)).toHaveLength(3);
  });
});

describe('bucketQuery', () => {
  it('turns one aggregate over the window into one time-bucketed SQL', () => {
    expect(bucketQuery(metric, 60, 1000, 'x.yaml')).toBe(`* | select __time__ - __time__ % 60 as ${BUCKET_COLUMN}, approx_distinct(device_id) as active_devices group by ${BUCKET_COLUMN} order by ${BUCKET_COLUMN} limit 1000`);
    const where = { ...metric, query: "event: hb | SELECT count(DISTINCT device_id) AS active_devices FROM log WHERE app = 'group by'" };
    expect(bucketQuery(where, 300, 10, 'x.yaml')).toBe(`event: hb | select __time__ - __time__ % 300 as ${BUCKET_COLUMN}, count(DISTINCT device_id) AS active_devices FROM log WHERE app = 'group by' group by ${BUCKET_COLUMN} order by ${BUCKET_COLUMN} limit 10`);
  });

  it.each([
    ['* | select region, count(*) as active_devices group by region', /already groups by something else/],
    ['* | select count(*) as active_devices order by active_devices limit 1', /orders, limits/],
    ['* | select count(*) as active_devices from (select * from log)', /nests/],
    ['* | select max(__time__) as active_devices', /__time__/],
    ['device_id: d1', /no SQL part/],
    ['* | select count(*) as n', /no column active_devices/],
  ])('refuses %s', (query, re) => {
    expect(() => bucketQuery({ ...metric, query }, 60, 1000, 'exporter.yaml')).toThrow(re);
  });

  it('refuses a metric with labels', () => {
    expect(() => bucketQuery({ ...metric, labelColumns: ['region'] }, 60, 1000, 'exporter.yaml')).toThrow(/exporter.yaml: metric active_devices: .*labelColumns \(region\)/);
  });
});

describe('answers and the CSV', () => {
  const page = { from: D20, to: D20 + 600 };
  it('takes rows of the page and refuses anything else', () => {
    expect(pageValues([{ [BUCKET_COLUMN]: String(D20 + 60), active_devices: '12' }], page, 60, 'active_devices')).toEqual(new Map([[D20 + 60, 12]]));
    expect(() => pageValues([{ [BUCKET_COLUMN]: String(D20 + 600), active_devices: '1' }], page, 60, 'active_devices')).toThrow(BadAnswer);
    expect(() => pageValues([{ [BUCKET_COLUMN]: String(D20 + 30), active_devices: '1' }], page, 60, 'active_devices')).toThrow(BadAnswer);
    expect(() => pageValues([{ [BUCKET_COLUMN]: String(D20), active_devices: 'null' }], page, 60, 'active_devices')).toThrow(/not a non-negative number/);
    expect(() => pageValues('<html>', page, 60, 'active_devices')).toThrow(BadAnswer);
  });

  it('writes provenance comments and one row per bucket (0 where SLS had none) that the curve parser reads', () => {
    const range = { from: D20, to: D20 + 300, step: 60 };
    const csv = curveCsv({ project: 'chat-prod', logstore: 'device-heartbeat', metric: 'active_devices', query: 'a\nb', range, pulledAt: new Date(NOW * 1000), version: '1.2.3' }, new Map([[D20 + 60, 5], [D20 + 120, 7]]));
    expect(csv).toContain('# project: chat-prod\n# logstore: device-heartbeat\n# metric: active_devices\n# query: a b\n');
    expect(csv).toContain('# range: 2026-11-20T00:00:00Z … 2026-11-20T00:05:00Z');
    expect(csv).toContain('2026-11-26T12:34:56.000Z');
    expect(csv.split('\n').filter((l) => /^\d{4}-/.test(l))).toEqual(['2026-11-20T00:00:00Z,0', '2026-11-20T00:01:00Z,5', '2026-11-20T00:02:00Z,7', '2026-11-20T00:03:00Z,0', '2026-11-20T00:04:00Z,0']);
    const c = parseCurveCsv(csv, 'pulled.csv');
    expect(c.startMs).toBe(D20 * 1000);
    expect(c.at(120)).toBe(7);
  });
});
