import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSls, type Fault, type FakeSls } from '../harness/fake-sls/index.ts';
import { createServer } from 'node:http';
import { parseExporterConfig, startExporter, type ExporterOptions, type RunningExporter } from './index.ts';
import { isUserError } from '../core/errors.ts';
import { waitUntil } from '../core/wait.ts';
import { ManualClock, PollLog } from './testing.ts';
import { ERROR_CODES, SLS_ERROR_CODES } from './value.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// renderCache 0 by default: a scrape right after a poll cycle must show that cycle's result.
function config(sls: FakeSls, extra = 'listen: {renderCache: 0}', metric = ''): string {
  return `sls:
  endpoint: ${sls.endpoint}
  credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}
${extra}
metrics:
  - name: active_devices
    project: chat-prod
    logstore: device-heartbeat
    query: "* | select approx_distinct(device_id) as active_devices"
    valueColumn: active_devices
    interval: 100ms
    timeout: 400ms
    maxStaleness: 1s
    retries: 0
${metric}`;
}

async function start(sls: FakeSls, yaml: string, opts: ExporterOptions = {}): Promise<RunningExporter & { polls: PollLog }> {
  const polls = new PollLog();
  const exp = await startExporter(parseExporterConfig(yaml, 'test.yaml', {}), { host: '127.0.0.1', port: 0, processMetrics: false, onPoll: polls.push, env: {}, ...opts });
  cleanups.push(() => exp.stop());
  return Object.assign(exp, { polls });
}
const ok = (e: { outcome: string }) => e.outcome === 'success';
async function fakeSls(opts: Parameters<typeof startFakeSls>[0] = {}): Promise<FakeSls> {
  const s = await startFakeSls(opts);
  cleanups.push(() => s.stop());
  return s;
}
async function scrape(exp: RunningExporter): Promise<Map<string, number>> {
  const text = await (await fetch(`${exp.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 8000) => waitUntil(what, ms, fn, undefined, 20);
const errKey = (code: string) => `sls_exporter_query_errors_total{metric="active_devices",code="${code}"}`;

describe('exporter through the real SDK against the fake SLS', () => {
  it('publishes the value, goes ready after the first success, and serves health', async () => {
    const sls = await fakeSls({ curve: () => 2737 });
    const clock = new ManualClock();
    const exp = await start(sls, config(sls), { clock });
    expect((await fetch(`${exp.url}/healthz`)).status).toBe(200);
    // No time has passed: no poll yet, so not ready and nothing published.
    expect((await fetch(`${exp.url}/readyz`)).status).toBe(503);
    expect((await scrape(exp)).has('active_devices')).toBe(false);
    const first = exp.polls.next('first success', ok);
    clock.advance(100);
    const e = await first;
    expect((await fetch(`${exp.url}/readyz`)).status).toBe(200);
    const m = await scrape(exp);
    expect(m.get('active_devices')).toBe(2737);
    expect(m.get('sls_exporter_up{metric="active_devices"}')).toBe(1);
    expect(m.get('sls_exporter_last_success_timestamp_seconds{metric="active_devices"}')).toBe(e.at / 1000);
  });

  it('counts distinct devices in the window only, with label columns', async () => {
    const sls = await fakeSls({ retentionSeconds: 3600 });
    const t = Math.floor(Date.now() / 1000);
    sls.store.append('chat-prod', 'device-heartbeat', [
      { time: t - 120, fields: { device_id: 'old', region: 'hz' } },
      { time: t - 10, fields: { device_id: 'a', region: 'hz' } },
      { time: t - 5, fields: { device_id: 'b', region: 'sh' } },
      { time: t - 5, fields: { device_id: 'c', region: 'sh' } },
      { time: t - 4, fields: { device_id: 'c', region: 'sh' } },
    ], t);
    const yaml = config(sls).replace('query: "* | select approx_distinct(device_id) as active_devices"', 'query: "* | select region, approx_distinct(device_id) as active_devices group by region"\n    labelColumns: [region]\n    window: 1m');
    const exp = await start(sls, yaml);
    await exp.polls.next('success', ok);
    const m = await scrape(exp);
    expect(m.get('active_devices{region="hz"}')).toBe(1);
    expect(m.get('active_devices{region="sh"}')).toBe(2);
  });

  it('polls once per interval whatever the scrape rate', async () => {
    const sls = await fakeSls({ curve: () => 5 });
    const clock = new ManualClock();
    const exp = await start(sls, config(sls).replace('interval: 100ms', 'interval: 500ms').replace('maxStaleness: 1s', 'maxStaleness: 10s'), { clock });
    const burst = () => Promise.all(Array.from({ length: 50 }, () => fetch(`${exp.url}/metrics`).then((r) => r.text())));
    await burst();
    expect(sls.stats().queries).toBe(0);
    for (let i = 1; i <= 3; i++) {
      const polled = exp.polls.next(`poll ${i}`, ok);
      clock.advance(i === 1 ? 50 : 550); // first tick within 10 % of the interval, then interval + ≤10 % jitter
      await polled;
      await burst();
      expect(sls.stats().queries).toBe(i);
    }
    expect((await scrape(exp)).get('active_devices')).toBe(5);
  });

  it('scrapes within listen.renderCache share one rendering; 0 renders every scrape', async () => {
    let n = 0;
    const sls = await fakeSls({ curve: () => ++n });
    const value = async (exp: RunningExporter) => (await scrape(exp)).get('active_devices');
    const poll = async (exp: RunningExporter & { polls: PollLog }, clock: ManualClock, ms: number) => {
      const done = exp.polls.next('a poll', ok);
      clock.advance(ms);
      return done;
    };
    const clock = new ManualClock();
    const cached = await start(sls, config(sls, 'listen: {renderCache: 1500ms}').replace('maxStaleness: 1s', 'maxStaleness: 10s'), { clock });
    await poll(cached, clock, 100);
    const first = await value(cached);
    expect(first).toBeDefined();
    for (let i = 0; i < 3; i++) await poll(cached, clock, 110); // three newer answers, 330 ms into the cache
    expect(await value(cached)).toBe(first);
    clock.advance(1200); // the cache is 1.53 s old: the next scrape renders anew
    expect(await value(cached)).toBeGreaterThan(first!);

    const clock2 = new ManualClock();
    const uncached = await start(sls, config(sls, 'listen: {renderCache: 0}'), { clock: clock2 });
    await poll(uncached, clock2, 100);
    const a = await value(uncached);
    await poll(uncached, clock2, 110);
    expect(await value(uncached)).toBeGreaterThan(a!);
  });

  it('follows a rotated credentials file (a sidecar or a mounted Secret) without a restart', async () => {
    const creds = [{ accessKeyId: 'key-one', accessKeySecret: 'secret-one' }];
    const sls = await fakeSls({ curve: () => 11, credentials: creds });
    const dir = mkdtempSync(join(tmpdir(), 'ebf-creds-'));
    const file = join(dir, 'credentials.json');
    writeFileSync(file, JSON.stringify({ AccessKeyId: 'key-one', AccessKeySecret: 'secret-one', SecurityToken: '' }));
    const yaml = config(sls).replace('credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}', `credentials: {file: ${file}}`);
    const exp = await start(sls, yaml);
    await exp.polls.next('success with key one', ok);
    expect((await scrape(exp)).get('active_devices')).toBe(11);
    // Rotate: the server stops accepting the old key, the file gets the new one.
    creds.splice(0, 1, { accessKeyId: 'key-two', accessKeySecret: 'secret-two' });
    writeFileSync(file, JSON.stringify({ AccessKeyId: 'key-two', AccessKeySecret: 'secret-two', Expiration: '2099-01-01T00:00:00Z' }));
    const before = (await scrape(exp)).get(errKey('Unauthorized')) ?? 0;
    // Two good answers after the rewrite: the new key is in use.
    await exp.polls.next('first success after rotation', ok);
    await exp.polls.next('second success after rotation', ok);
    const m = await scrape(exp);
    expect(m.get('active_devices')).toBe(11);
    expect(m.get('sls_exporter_up{metric="active_devices"}')).toBe(1);
    // At most the one poll that raced the rewrite may have used the old key.
    expect((m.get(errKey('Unauthorized')) ?? 0) - before).toBeLessThanOrEqual(1);
  });

  it('retries retriable errors within the interval and publishes the good answer', async () => {
    const sls = await fakeSls({ curve: () => 42 });
    const exp = await start(sls, config(sls).replace('interval: 100ms', 'interval: 2s').replace('retries: 0', 'retries: 3').replace('maxStaleness: 1s', 'maxStaleness: 10s'));
    sls.faults.inject({ kind: 'error', code: 'ServerBusy', times: 2 });
    const e = await exp.polls.next('success', ok);
    expect(e.attempts).toBe(3);
    const m = await scrape(exp);
    expect(m.get('active_devices')).toBe(42);
    expect(m.get(errKey('ServerBusy'))).toBe(2);
  });

  it('never retries a non-retriable error', async () => {
    const sls = await fakeSls({ curve: () => 42 });
    const exp = await start(sls, config(sls).replace('interval: 100ms', 'interval: 2s').replace('retries: 0', 'retries: 3').replace('maxStaleness: 1s', 'maxStaleness: 10s'));
    sls.faults.inject({ kind: 'error', code: 'ProjectForbidden', times: 1 });
    const e = await exp.polls.next('the first cycle');
    expect(e).toMatchObject({ outcome: 'error', code: 'ProjectForbidden', attempts: 1 });
    expect(sls.stats().queries).toBe(1);
    expect((await scrape(exp)).get(errKey('ProjectForbidden'))).toBe(1);
    expect((await scrape(exp)).has('active_devices')).toBe(false);
  });

  it('stops exporting after maxStaleness without a good answer, and resumes', async () => {
    const sls = await fakeSls({ curve: () => 9 });
    const exp = await start(sls, config(sls));
    await exp.polls.next('success', ok);
    expect((await scrape(exp)).get('active_devices')).toBe(9);
    sls.faults.inject({ kind: 'error', code: 'LogStoreNotExist', times: 1000 });
    const gone = await until('metric gone', async () => {
      const s = await scrape(exp);
      return s.has('active_devices') ? undefined : s;
    }, 5000);
    expect(gone.get('sls_exporter_up{metric="active_devices"}')).toBe(0);
    sls.faults.clear();
    await exp.polls.next('success after the faults', ok);
    expect((await scrape(exp)).get('active_devices')).toBe(9);
  });

  it('fault matrix: never crashes, never publishes a false value, counts exactly what was injected', async () => {
    const TRUTH = 777;
    const sls = await fakeSls({ curve: () => TRUTH });
    const exp = await start(sls, config(sls).replace('maxStaleness: 1s', 'maxStaleness: 60s'));
    await exp.polls.next('first success', ok);
    // Published values change only when a cycle ends: a scrape after every cycle sees each of them.
    const seen = new Set<number>();
    const scrapes: Promise<void>[] = [];
    let watching = true;
    exp.polls.each(() => {
      if (watching) scrapes.push(scrape(exp).then((m) => void (m.has('active_devices') && seen.add(m.get('active_devices')!))));
    });
    const matrix: [Fault, string | undefined][] = [
      [{ kind: 'error', code: 'ServerBusy' }, 'ServerBusy'],
      [{ kind: 'error', code: 'InternalServerError' }, 'InternalServerError'],
      [{ kind: 'error', code: 'RequestTimeout' }, 'RequestTimeout'],
      [{ kind: 'error', code: 'ReadQuotaExceed' }, 'ReadQuotaExceed'],
      [{ kind: 'error', code: 'SignatureNotMatch' }, 'SignatureNotMatch'],
      [{ kind: 'error', code: 'Unauthorized' }, 'Unauthorized'],
      [{ kind: 'error', code: 'ProjectNotExist' }, 'ProjectNotExist'],
      [{ kind: 'error', code: 'ParameterInvalid' }, 'ParameterInvalid'],
      [{ kind: 'error', code: 'RequestTimeExpired' }, 'RequestTimeExpired'],
      [{ kind: 'incomplete' }, 'Incomplete'],
      [{ kind: 'html502' }, 'BadGateway'],
      [{ kind: 'reset' }, 'NetworkError'],
      [{ kind: 'slowBody', ms: 1500 }, 'Timeout'],
      [{ kind: 'malformedJson' }, 'BadResponse'],
      [{ kind: 'wrongType', value: 'abc' }, 'InvalidValue'],
      [{ kind: 'wrongType', value: '-5' }, 'InvalidValue'],
      [{ kind: 'wrongType', value: 'NaN' }, 'InvalidValue'],
      [{ kind: 'emptyResult' }, 'EmptyResult'],
      [{ kind: 'latency', ms: 150 }, undefined],
    ];
    const expected = new Map<string, number>();
    for (const [fault, code] of matrix) {
      // The fault hits the next query, which a cycle starting after this one makes: wait for it.
      sls.faults.inject(fault);
      await exp.polls.next(`${JSON.stringify(fault)} then a good answer`, (x) => ok(x) && sls.faults.pending() === 0);
      if (code) expected.set(code, (expected.get(code) ?? 0) + 1);
      const m = await scrape(exp);
      const total = [...m.entries()].filter(([k]) => k.startsWith('sls_exporter_query_errors_total')).reduce((a, [, v]) => a + v, 0);
      expect(total, JSON.stringify(fault)).toBe([...expected.values()].reduce((a, v) => a + v, 0));
      if (code) expect(m.get(errKey(code))).toBe(expected.get(code));
    }
    watching = false;
    await Promise.all(scrapes);
    expect(scrapes.length).toBeGreaterThan(matrix.length);
    expect([...seen]).toEqual([TRUTH]);
    const final = await scrape(exp);
    const counted = Object.fromEntries([...final.entries()].filter(([k, v]) => k.startsWith('sls_exporter_query_errors_total') && v > 0).map(([k, v]) => [/code="([^"]+)"/.exec(k)![1]!, v]));
    expect(counted).toEqual(Object.fromEntries(expected));
    expect(final.get('active_devices')).toBe(TRUTH);
  }, 60_000);
});

describe('startup order and failures', () => {
  it('a port in use is a UserError before any poll is scheduled or any query is sent', async () => {
    const sls = await fakeSls({ curve: () => 1 });
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => holder.close(() => r())));
    const port = (holder.address() as { port: number }).port;
    const clock = new ManualClock();
    const err = await startExporter(parseExporterConfig(config(sls), 'test.yaml', {}), { host: '127.0.0.1', port, processMetrics: false, clock, env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use \\(EADDRINUSE\\)`));
    expect(clock.pending()).toBe(0); // no poller ever started
    clock.advance(60_000);
    expect(sls.stats().queries).toBe(0);
  });

  it('a response without x-log-progress is Incomplete: retried, counted, never published', async () => {
    // A server that answers like SLS but without the header (what an SDK or proxy change could cause).
    let queries = 0;
    const bare = createServer((req, res) => {
      queries++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ active_devices: '3' }]));
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => (bare.closeAllConnections(), bare.close(() => r()))));
    const endpoint = `localhost:${(bare.address() as { port: number }).port}`;
    const exp = await start({ endpoint } as FakeSls, config({ endpoint } as FakeSls).replace('retries: 0', 'retries: 1').replace('interval: 100ms', 'interval: 2s').replace('maxStaleness: 1s', 'maxStaleness: 10s'));
    const e = await exp.polls.next('the first cycle');
    expect(e).toMatchObject({ outcome: 'error', code: 'Incomplete', attempts: 2 });
    expect(queries).toBe(2);
    const m = await scrape(exp);
    expect(m.get(errKey('Incomplete'))).toBe(2);
    expect(m.has('active_devices')).toBe(false);
    expect((await fetch(`${exp.url}/readyz`)).status).toBe(503);
  });

  it('a missing, unreadable or malformed credentials file is a UserError naming the file and field, before listening', async () => {
    const sls = await fakeSls({ curve: () => 1 });
    const dir = mkdtempSync(join(tmpdir(), 'ebf-creds-'));
    const cases: [string, string | undefined, RegExp][] = [
      ['missing.json', undefined, /credentials file .*missing\.json: cannot read it \(ENOENT\)/],
      ['bad.json', '{"AccessKeyId": "a",', /credentials file .*bad\.json: not valid JSON/],
      ['nosecret.json', '{"AccessKeyId": "a"}', /credentials file .*nosecret\.json: AccessKeySecret: missing/],
      ['bad.ini', 'access_key_id = a\n', /credentials file .*bad\.ini:1: not valid JSON or INI/],
      ['nosecret.ini', '[default]\ntype = access_key\naccess_key_id = a\n', /credentials file .*nosecret\.ini:1: \[default\] access_key_secret: missing/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(dir, name);
      if (content !== undefined) writeFileSync(file, content);
      const yaml = config(sls).replace('credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}', `credentials: {file: ${file}}`);
      const holder = createServer();
      const err = await startExporter(parseExporterConfig(yaml, 'test.yaml', {}), { host: '127.0.0.1', port: 0, processMetrics: false, env: {} }).then(
        (x) => (cleanups.push(() => x.stop()), undefined),
        (e: unknown) => e,
      );
      holder.close();
      expect(isUserError(err), name).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
    expect(sls.stats().queries).toBe(0);
  });

  it('a credentials file that goes bad after startup fails polls as CredentialsInvalid, not a retried NetworkError', async () => {
    const sls = await fakeSls({ curve: () => 4 });
    const dir = mkdtempSync(join(tmpdir(), 'ebf-creds-'));
    const file = join(dir, 'credentials');
    writeFileSync(file, '[default]\ntype = access_key\naccess_key_id = ebbflow-test-ak\naccess_key_secret = ebbflow-test-secret\n');
    const yaml = config(sls).replace('credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}', `credentials: {file: ${file}}`).replace('retries: 0', 'retries: 3');
    const exp = await start(sls, yaml);
    await exp.polls.next('success with the INI profile', ok);
    rmSync(file);
    const e = await exp.polls.next('a failed cycle', (x) => x.outcome === 'error');
    expect(e).toMatchObject({ code: 'CredentialsInvalid', attempts: 1 });
    expect((await scrape(exp)).get(errKey('NetworkError')) ?? 0).toBe(0);
  });
});

describe('config', () => {
  it('names file, line and field of a bad value', () => {
    expect(() => parseExporterConfig('sls: {endpoint: x}\nmetrics:\n  - name: 1bad\n    project: p1x\n    logstore: l1x\n    query: "*"\n    valueColumn: v\n', 'cfg.yaml', {})).toThrow(/cfg\.yaml:3:\d+: metrics\[0\]\.name/);
    expect(() => parseExporterConfig('sls: {endpoint: x}\nmetrics: []\n', 'cfg.yaml', {})).toThrow(/cfg\.yaml:2:\d+: metrics/);
  });
  it('takes credentials and endpoint from the environment, and requires credentials', () => {
    const yaml = 'sls: {region: cn-hangzhou}\nmetrics:\n  - {name: m, project: p1x, logstore: l1x, query: "*", valueColumn: v, interval: 250ms}\n';
    expect(() => parseExporterConfig(yaml, 'c.yaml', {})).toThrow(/sls\.credentials/);
    const c = parseExporterConfig(yaml, 'c.yaml', { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's', SLS_ENDPOINT: 'e:1' });
    expect(c.sls.credentials).toEqual({ accessKeyId: 'id', accessKeySecret: 's' });
    expect(c.sls.endpoint).toBe('e:1');
    expect(c.metrics[0]!.interval).toBe(0.25);
  });
});

/** A logger whose JSON lines a test can read. */
function capturedLogger(): { logger: ExporterOptions['logger']; lines: { level: number; msg: string; [k: string]: unknown }[] } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('what an exporter ships with', () => {
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

  it('sls_exporter_build_info is 1 with the package version (as --version prints it), the revision when given, and Node', async () => {
    const sls = await fakeSls({ curve: () => 1 });
    const withRev = await start(sls, config(sls), { env: { EXPORTER_REVISION: '0123abc' } });
    expect((await scrape(withRev)).get(`sls_exporter_build_info{version="${version}",revision="0123abc",nodejs="${process.version}"}`)).toBe(1);
    const without = await start(sls, config(sls));
    const m = await scrape(without);
    expect(m.get(`sls_exporter_build_info{version="${version}",nodejs="${process.version}"}`)).toBe(1);
    expect([...m.keys()].filter((k) => k.startsWith('sls_exporter_build_info'))).toHaveLength(1);
  });

  it('/ is a landing page naming the exporter and its version, linking to /metrics; other paths stay 404', async () => {
    const sls = await fakeSls({ curve: () => 1 });
    const exp = await start(sls, config(sls), { clock: new ManualClock() });
    const r = await fetch(`${exp.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await r.text();
    expect(html).toContain('<title>SLS exporter</title>');
    expect(html).toContain(`version ${version}`);
    const href = /<a href="([^"]+)">\/metrics<\/a>/.exec(html)?.[1];
    expect(href).toBeDefined();
    // The link works from the page, as a browser (or a kubectl port-forward) would follow it.
    const metrics = await fetch(new URL(href!, `${exp.url}/`));
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('sls_exporter_up');
    expect(html).toContain('<code>active_devices</code>');
    expect((await fetch(`${exp.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${exp.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${exp.url}/nope`)).status).toBe(404);
  });

  it('every known error code starts at 0 for every metric, before any poll', async () => {
    const sls = await fakeSls({ curve: () => 1 });
    const clock = new ManualClock();
    const exp = await start(sls, config(sls, 'listen: {renderCache: 0}', '  - {name: second, project: chat-prod, logstore: device-heartbeat, query: "*", valueColumn: v}\n'), { clock });
    const m = await scrape(exp);
    for (const metric of ['active_devices', 'second']) {
      for (const code of ERROR_CODES) expect(m.get(`sls_exporter_query_errors_total{metric="${metric}",code="${code}"}`), `${metric} ${code}`).toBe(0);
    }
    const series = [...m.keys()].filter((k) => k.startsWith('sls_exporter_query_errors_total'));
    expect(series).toHaveLength(2 * ERROR_CODES.length);
    expect(sls.stats().queries).toBe(0);
  });

  it('the documented GetLogs error codes are all known, each once', () => {
    // The design brief's SLS wire facts, by HTTP status.
    const documented = ['RequestTimeExpired', 'ParameterInvalid', 'SignatureNotMatch', 'Unauthorized', 'InvalidAccessKeyId', 'ReadQuotaExceed', 'ProjectForbidden', 'ProjectNotExist', 'LogStoreNotExist', 'InternalServerError', 'RequestTimeout', 'ServerBusy'];
    expect([...SLS_ERROR_CODES].sort()).toEqual(documented.sort());
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('every code the exporter gives a failure itself is among the initialised ones', () => {
    const own = new Set<string>();
    for (const f of ['value.ts', 'sls-client.ts', 'poller.ts', 'exporter.ts']) {
      const src = readFileSync(new URL(`./${f}`, import.meta.url), 'utf8');
      // The first argument of each `new QueryFailure(code, …)`, e.g. `looksHtml ? 'BadGateway' : 'BadResponse'`.
      for (const [, first] of src.matchAll(/new QueryFailure\(([^,]+),/g)) for (const [, code] of first!.matchAll(/'([A-Z][A-Za-z]+)'/g)) own.add(code!);
    }
    expect(own.size).toBeGreaterThan(8);
    for (const code of own) expect(ERROR_CODES, code).toContain(code);
  });

  it('a refused connection logs "ECONNREFUSED 127.0.0.1:<port>; GET http://…", not the SDK\'s run-together text', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { logger, lines } = capturedLogger();
    const exp = await start({ endpoint: `localhost:${port}` } as FakeSls, config({ endpoint: `localhost:${port}` } as FakeSls), { logger });
    const e = await exp.polls.next('a failed cycle');
    expect(e.code).toBe('NetworkError');
    const warn = lines.find((l) => l.level === 40 && l.metric === 'active_devices');
    expect(warn?.msg).toMatch(new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}; GET http://chat-prod\\.localhost:${port}/logstores/device-heartbeat\\?`));
    expect(warn?.msg).not.toMatch(/\dGET /);
  });

  it('a bare non-loopback endpoint is served, with one warning naming the field and the fix; loopback and https:// are quiet', async () => {
    const sls = await fakeSls({ curve: () => 1 });
    for (const [endpoint, warned] of [['sls.example.internal:80', true], [sls.endpoint, false], [`http://${sls.endpoint}`, false], ['https://cn-hangzhou-intranet.log.aliyuncs.com', false]] as const) {
      const { logger, lines } = capturedLogger();
      const exp = await start(sls, config({ endpoint } as FakeSls), { logger, clock: new ManualClock() });
      const w = lines.filter((l) => l.level === 40 && l.field === 'sls.endpoint');
      expect(w.length, endpoint).toBe(warned ? 1 : 0);
      if (warned) expect(w[0]!.msg).toBe('sls.endpoint "sls.example.internal:80" has no scheme: @alicloud/log then speaks plain HTTP on port 80, which the shipped NetworkPolicy does not open (it opens 443); write https://sls.example.internal:80 (or http://sls.example.internal:80 if plain HTTP is what you mean)');
      await exp.stop();
    }
  });
});
