import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCurveCsv, constCurve, loadScenario, parseScenario, transforms as T } from './index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('curves', () => {
  it('parses HH:MM, ISO and epoch rows, resamples to one minute and interpolates', () => {
    const c = parseCurveCsv('time,devices\n00:00,0\n00:10,100\n', 'x.csv');
    expect(c.stepSeconds).toBe(60);
    expect(c.at(300)).toBeCloseTo(50);
    expect(c.at(30)).toBeCloseTo(5);
    expect(c.at(86_000)).toBe(100); // flat after the last point
    const sls = parseCurveCsv('__time__,active_devices\n2026-01-05T08:00:00Z,10\n1767600600,20\n', 'export.csv');
    expect(sls.at(8 * 3600)).toBe(10);
    expect(sls.at(8 * 3600 + 600)).toBe(20);
  });
  it('names file and line of a bad row, and a bad header', () => {
    expect(() => parseCurveCsv('time,devices\n00:00,1\n25:00,2\n', 'bad.csv', { echo: true })).toThrow(/bad\.csv:3: time: not a time \(got "25:00"\)/);
    expect(() => parseCurveCsv('time,devices\n00:00,1\n00:01,-4\n', 'neg.csv')).toThrow(/neg\.csv:3: devices: is negative/);
    expect(() => parseCurveCsv('when,devices\n00:00,1\n', 'hdr.csv')).toThrow(/hdr\.csv:1: the header/);
  });
  it('transforms: scale, growth, shift, seeded noise, splice', () => {
    const c = parseCurveCsv('time,devices\n00:00,100\n23:59,100\n', 'flat.csv');
    expect(T.scale(c, 2).at(3600)).toBeCloseTo(200);
    expect(T.growth(c, 1.3).at(3600)).toBeCloseTo(130);
    const ramp = parseCurveCsv('time,devices\n00:00,0\n01:00,3600\n', 'ramp.csv');
    expect(T.shift(ramp, 600).at(1200)).toBeCloseTo(600);
    const n1 = T.noise(c, 0.1, 7);
    expect(n1.values).toEqual(T.noise(c, 0.1, 7).values);
    expect(n1.values).not.toEqual(T.noise(c, 0.1, 8).values);
    const sd = Math.sqrt(n1.values.reduce((a, v) => a + (v - 100) ** 2, 0) / n1.values.length);
    expect(sd).toBeGreaterThan(7);
    expect(sd).toBeLessThan(13);
    const s = T.splice(c, constCurve(5), 3600, 7200);
    expect(s.at(3000)).toBeCloseTo(100);
    expect(s.at(4000)).toBeCloseTo(5);
    expect(s.at(8000)).toBeCloseTo(100);
  });
  it('ships four daily curves at 1-minute resolution', async () => {
    const files = readdirSync(`${here}curves`).filter((f) => f.endsWith('.csv')).sort();
    expect(files).toEqual(['holiday-flash-crowd.csv', 'incident-dip-recovery.csv', 'weekday.csv', 'weekend.csv']);
  });
});

describe('scenario files', () => {
  it('every shipped scenario loads', async () => {
    const files = readdirSync(here).filter((f) => f.endsWith('.yaml'));
    expect(files).toContain('smoke.yaml');
    for (const f of files) {
      const s = await loadScenario(`${here}${f}`);
      expect(s.windows.length).toBeGreaterThan(0);
      expect(s.curve.values.length).toBeGreaterThan(1);
    }
  });
  it('takes your prices in cost:', async () => {
    const s = await parseScenario('name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "08:00"}]\ncost:\n  currency: CNY\n  region: cn-shanghai\n  ecs: [{pool: ecs, instanceType: ecs.g7.xlarge, pricePerNode: 400}]\n  eci: {vcpuPerSecond: 0.00004, preemptible: {vcpuPerSecond: 0.00001, gibPerSecond: 0.000001}, billing: preemptible}\n', 't.yaml');
    expect(s.cost).toMatchObject({ region: 'cn-shanghai', ecs: [{ pool: 'ecs', pricePerNode: 400 }], eci: { vcpuPerSecond: 0.00004, billing: 'preemptible' } });
  });
  it('step curves hold each value until the next point', async () => {
    const s = await parseScenario('name: t\ncurve: {steps: [["07:00", 1000], ["07:10", 5000]]}\nwindows: [{start: "07:00", end: "07:20"}]\n', 't.yaml');
    expect(s.curve.at(7 * 3600 + 300)).toBe(1000);
    expect(s.curve.at(7 * 3600 + 700)).toBe(5000);
    expect(s.dayStartMs).toBe(Date.parse('2026-01-05T00:00:00Z'));
  });
  it.each([
    ['name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "06:00"}]\n', /t\.yaml:3:\d+: windows\[0\]\.end: end 06:00 must be after start 07:00/],
    ['name: t\ncurve: {const: 5}\nwindows: [{start: "7am", end: "08:00"}]\n', /t\.yaml:3:\d+: windows\[0\]\.start: a clock time/],
    ['name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "08:00"}]\ncompresion: 10\n', /t\.yaml:4:1: compresion/],
    ['name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "08:00"}]\nexpectations: [{type: sloCoverage, minPercent: 120}]\n', /t\.yaml:4:\d+: expectations\[0\]\.minPercent/],
    ['name: t\ncurve: {file: nope.csv}\nwindows: [{start: "07:00", end: "08:00"}]\n', /cannot read curve .*nope\.csv/],
    ['name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "08:00"}]\ncost:\n  ecs: [{instanceType: ecs.g7.xlarge, pricePerNode: 1, per: week}]\n', /t\.yaml:5:\d+: cost\.ecs\[0\]\.per/],
    ['name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "08:00"}]\ncost:\n  currency: USD\n', /t\.yaml:4:\d+: cost\.eci: prices in USD need/],
  ])('rejects bad input naming file, line and field (%#)', async (text, re) => {
    await expect(parseScenario(text, `${here}t.yaml`.replace(here, ''))).rejects.toThrow(re);
  });
});
