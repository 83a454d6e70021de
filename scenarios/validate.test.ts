import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenario, loadScenario, SCENARIO_BOUNDS } from './index.ts';
import { durationSeconds, shiftSeconds } from './validate.ts';

const base = 'name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "08:00"}]\n';

async function errorOf(text: string, file = 't.yaml', opts = {}): Promise<string> {
  try {
    await parseScenario(text, file, opts);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the scenario to be refused');
}

describe('semantic validation names file:line:field', () => {
  it.each([
    ['minReplicas > maxReplicas', `${base}hpa: {minReplicas: 5, maxReplicas: 3}\n`, /t\.yaml:4:\d+: hpa\.minReplicas: 5 is above hpa\.maxReplicas 3/],
    ['sourceMin > sourceMax', `${base}elasticWorkload:\n  sourceMin: 4\n  sourceMax: 2\n`, /t\.yaml:5:3: elasticWorkload\.sourceMin: 4 is above/],
    ['unit min > max', `${base}elasticWorkload: {units: [{name: vk, min: 3, max: 1}]}\n`, /t\.yaml:4:\d+: elasticWorkload\.units\[0\]\.min/],
    ['unordered steps', 'name: t\ncurve:\n  steps:\n    - ["08:00", 5]\n    - ["07:00", 6]\nwindows: [{start: "07:00", end: "08:00"}]\n', /t\.yaml:5:\d+: curve\.steps\[1\]\[0\]: 07:00 is not after the previous step 08:00/],
    ['Feb 30', `${base}day: "2026-02-30"\n`, /t\.yaml:4:\d+: day: a real calendar date/],
    ['windows out of order', 'name: t\ncurve: {const: 5}\nwindows:\n  - {start: "09:00", end: "10:00"}\n  - {start: "07:00", end: "08:00"}\n', /t\.yaml:5:\d+: windows\[1\]\.start: starts before windows\[0\] ends/],
    ['window past the day', 'name: t\ncurve: {const: 5}\nwindows: [{start: "23:00", end: "24:30"}]\n', /t\.yaml:3:\d+: windows\[0\]\.end: a clock time/],
    ['tiny sample interval', `${base}sampleEverySeconds: 0.01\n`, /t\.yaml:4:\d+: sampleEverySeconds: must be between 1 and 3600/],
    ['huge maxReplicas', `${base}hpa: {maxReplicas: 1000000}\n`, /t\.yaml:4:\d+: hpa\.maxReplicas: must be between 0 and 2000 replicas/],
    ['too many nodes', `${base}nodes: {ecs: [{name: a, count: 150}, {name: b, count: 100}]}\n`, /t\.yaml:4:\d+: nodes\.ecs: 250 ECS nodes; must be between 0 and 200/],
    ['node latency min > max', `${base}nodes: {ecs: [{name: a, count: 1, startLatency: {min: 5, max: 1}}]}\n`, /t\.yaml:4:\d+: nodes\.ecs\[0\]\.startLatency: min 5 > max 1/],
    ['compression too high', `${base}compression: 1000\n`, /t\.yaml:4:\d+: compression: must be between 1 and 600/],
    ['loop too fast for the wall clock', `${base}compression: 600\npipeline: {exporterIntervalSeconds: 2}\n`, /t\.yaml:5:\d+: pipeline\.exporterIntervalSeconds: 2 virtual s at compression 600 is 3\.3 ms/],
    ['shift beyond a day', 'name: t\ncurve: {steps: [["07:00", 1]], transforms: [{shift: 30h}]}\nwindows: [{start: "07:00", end: "08:00"}]\n', /t\.yaml:2:\d+: curve\.transforms\[0\]\.shift: must be between -86400 and 86400/],
    ['shift with a space', 'name: t\ncurve: {steps: [["07:00", 1]], transforms: [{shift: "-1 h"}]}\nwindows: [{start: "07:00", end: "08:00"}]\n', /t\.yaml:2:\d+: curve: Invalid input/],
    ['shift compound beyond a day', 'name: t\ncurve: {steps: [["07:00", 1]], transforms: [{shift: "-23h61m"}]}\nwindows: [{start: "07:00", end: "08:00"}]\n', /t\.yaml:2:\d+: curve\.transforms\[0\]\.shift: must be between -86400 and 86400/],
    ['splice backwards', 'name: t\ncurve: {steps: [["07:00", 1]], transforms: [{splice: {file: x.csv, from: "09:00", to: "08:00"}}]}\nwindows: [{start: "07:00", end: "08:00"}]\n', /curve\.transforms\[0\]\.splice\.to: from 09:00 must be before to 08:00/],
    ['devices out of bounds', 'name: t\ncurve: {const: 1e12}\nwindows: [{start: "07:00", end: "08:00"}]\n', /t\.yaml:2:\d+: curve\.const: must be between 0 and 1000000000 devices/],
  ])('%s', async (_what, text, re) => {
    expect(await errorOf(text)).toMatch(re);
  });

  it('refuses a YAML alias bomb quickly with a clear error', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    const t0 = performance.now();
    expect(await errorOf(`${bomb}\n`)).toMatch(/t\.yaml: too many YAML aliases/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('the --compression override is checked like the file', async () => {
    expect(await errorOf(`${base}pipeline: {exporterIntervalSeconds: 5}\n`, 't.yaml', { compression: 600 })).toMatch(/exporterIntervalSeconds: 5 virtual s at compression 600/);
  });

  it('the shipped scenarios are inside every bound', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    for (const f of ['smoke.yaml', 'tiny.yaml', 'tiny-fail.yaml']) await expect(loadScenario(join(here, f))).resolves.toBeTruthy();
    expect(SCENARIO_BOUNDS.replicas.max).toBeGreaterThanOrEqual(12);
    const readme = readFileSync(join(here, 'README.md'), 'utf8');
    for (const k of Object.keys(SCENARIO_BOUNDS)) expect(readme, `scenarios/README.md documents the bound ${k}`).toContain(`| \`${k}\` |`);
  });
});

describe('curve files outside the scenario directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'ebbflow-scn-'));
  const dir = join(root, 'scn');
  mkdirSync(join(dir, 'curves'), { recursive: true });
  writeFileSync(join(dir, 'curves', 'ok.csv'), 'time,devices\n00:00,1\n23:59,2\n');
  writeFileSync(join(root, 'secret.txt'), 'root:supersecret:19000\nbin:x\n');
  symlinkSync(join(root, 'secret.txt'), join(dir, 'curves', 'link.csv'));
  const scn = (file: string) => `name: t\ncurve: {file: ${file}}\nwindows: [{start: "07:00", end: "08:00"}]\n`;
  const file = join(dir, 's.yaml');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads a curve inside the directory', async () => {
    expect((await parseScenario(scn('curves/ok.csv'), file)).curve.at(0)).toBe(1);
  });

  it.each([['../secret.txt'], [join(root, 'secret.txt')], ['curves/link.csv']])('refuses %s without reading it', async (p) => {
    const msg = await errorOf(scn(p), file);
    expect(msg).toMatch(/s\.yaml:2:\d+: curve\.file: .* is outside the scenario's directory.*--allow-outside-curves/);
    expect(msg).not.toContain('supersecret');
  });

  it('with the CLI flag reads it, but never echoes its content', async () => {
    const msg = await errorOf(scn('../secret.txt'), file, { allowOutsideCurves: true });
    expect(msg).toMatch(/secret\.txt:1: the header must name/);
    expect(msg).not.toContain('supersecret');
  });

  it('a baseline the scenario names is confined the same way', async () => {
    const text = 'name: t\ncurve: {const: 1}\nwindows: [{start: "07:00", end: "08:00"}]\nexpectations:\n  - {type: baseline, file: ../secret.txt}\n';
    expect(await errorOf(text, file)).toMatch(/s\.yaml:5:\d+: expectations\[0\]\.file: \.\.\/secret\.txt is outside/);
    await expect(parseScenario(text, file, { allowOutsideCurves: true })).resolves.toBeTruthy();
  });

  it('a multi-day export needs curve.day', async () => {
    writeFileSync(join(dir, 'curves', 'two.csv'), '__time__,value\n2026-01-05T08:00:00Z,1\n2026-01-05T09:00:00Z,1\n2026-01-06T08:00:00Z,9\n2026-01-06T09:00:00Z,9\n');
    expect(await errorOf(scn('curves/two.csv'), file)).toMatch(/s\.yaml:2:\d+: curve\.file: curves\/two\.csv spans 2 days from 2026-01-05; add day/);
    const s = await parseScenario('name: t\ncurve: {file: curves/two.csv, day: "2026-01-06"}\nwindows: [{start: "08:00", end: "09:00"}]\n', file);
    expect(s.curve.at(8.5 * 3600)).toBe(9);
  });
});

describe('durations are read by units.ts', () => {
  it.each([
    ['90s', 90], ['1m30s', 90], ['-1h', -3600], ['-1m30s', -90], ['250ms', 0.25], [600, 600],
  ])('shift %j → %d s', (shift, seconds) => {
    expect(shiftSeconds(shift)).toBe(seconds);
    if (typeof shift === 'number' || !shift.startsWith('-')) expect(durationSeconds(shift)).toBe(seconds);
  });

  it('a compound shift moves the curve like the same seconds', async () => {
    const file = (shift: string) => `name: t\ncurve: {steps: [["07:00", 1], ["08:00", 5]], transforms: [{shift: "${shift}"}]}\nwindows: [{start: "07:00", end: "09:00"}]\n`;
    const [a, b] = await Promise.all([parseScenario(file('1m30s'), 't.yaml'), parseScenario(file('90s'), 't.yaml')]);
    for (const t of [7 * 3600, 8 * 3600 + 60, 8 * 3600 + 90, 8 * 3600 + 120]) expect(a.curve.at(t)).toBe(b.curve.at(t));
    expect(a.curve.at(8 * 3600 + 60)).toBe(1);
    expect(a.curve.at(8 * 3600 + 90)).toBe(5);
  });
});

describe('source and exporter', () => {
  it('curve mode by default; events mode with a 30 s heartbeat by default', async () => {
    expect((await parseScenario(base, 't.yaml')).source).toEqual({ mode: 'curve' });
    expect((await parseScenario(`${base}source: {mode: events}\n`, 't.yaml')).source).toEqual({ mode: 'events', heartbeatSeconds: 30 });
  });
  it.each([
    ['heartbeat longer than the query window', `${base}source: {mode: events, heartbeatSeconds: 90}\n`, /t\.yaml:4:\d+: source\.heartbeatSeconds: 90 s is longer than pipeline\.slsWindowSeconds \(60 s\)/],
    ['heartbeat too fast for the compression', `${base}compression: 600\nsource: {mode: events, heartbeatSeconds: 1}\npipeline: {slsWindowSeconds: 60, exporterIntervalSeconds: 15, adapterRelistSeconds: 30, scrapeIntervalSeconds: 15}\n`, /source\.heartbeatSeconds: 1 virtual s at compression 600/],
    ['a fleet above the bound', 'name: t\ncurve: {const: 300000}\nwindows: [{start: "07:00", end: "08:00"}]\nsource: {mode: events}\n', /t\.yaml:4:\d+: source\.mode: events mode needs a fleet of 300000 devices/],
    ['an unknown mode', `${base}source: {mode: kafka}\n`, /t\.yaml:4:\d+: source\.mode/],
    ['a remote metrics URL', `${base}exporter: {command: [python3, e.py], metricsUrl: "http://10.0.0.1:9500/metrics"}\n`, /t\.yaml:4:\d+: exporter\.metricsUrl: an http URL on the loopback interface/],
    ['an empty command', `${base}exporter: {command: [], metricsUrl: "http://127.0.0.1:9500/metrics"}\n`, /exporter\.command: the program to run/],
    ['a bad env name', `${base}exporter: {command: [x], env: {"A-B": "1"}, metricsUrl: "http://127.0.0.1:9500/metrics"}\n`, /exporter\.env/],
  ])('%s', async (_n, text, re) => {
    expect(await errorOf(text)).toMatch(re);
  });
  it('runs an exporter command only when the person running ebbflow allows it', async () => {
    const text = `${base}exporter: {command: [python3, e.py], metricsUrl: "http://127.0.0.1:9500/metrics"}\n`;
    expect(await errorOf(text)).toMatch(/t\.yaml:4:\d+: exporter\.command: runs "python3" on this machine; pass --allow-exporter-command/);
    const s = await parseScenario(text, 't.yaml', { allowExporterCommand: true });
    expect(s.exporter).toEqual({ command: ['python3', 'e.py'], env: {}, metricsUrl: 'http://127.0.0.1:9500/metrics', startTimeoutSeconds: 60 });
  });
  it('a curve-mode scenario is not bounded by the fleet size', async () => {
    expect((await parseScenario('name: t\ncurve: {const: 300000}\nwindows: [{start: "07:00", end: "08:00"}]\n', 't.yaml')).source.mode).toBe('curve');
  });
});
