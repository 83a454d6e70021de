import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSls, type Fault, type FakeSls } from '../harness/fake-sls/index.ts';
import { parseExporterConfig, startExporter, type RunningExporter } from './index.ts';
import { waitUntil } from '../harness/common/wait.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function config(sls: FakeSls, extra = '', metric = ''): string {
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

async function start(sls: FakeSls, yaml: string): Promise<RunningExporter> {
  const exp = await startExporter(parseExporterConfig(yaml, 'test.yaml', {}), { host: '127.0.0.1', port: 0, processMetrics: false });
  cleanups.push(() => exp.stop());
  return exp;
}
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
    const exp = await start(sls, config(sls));
    expect((await fetch(`${exp.url}/healthz`)).status).toBe(200);
    await until('ready', async () => ((await fetch(`${exp.url}/readyz`)).status === 200 ? true : undefined));
    const m = await scrape(exp);
    expect(m.get('active_devices')).toBe(2737);
    expect(m.get('sls_exporter_up{metric="active_devices"}')).toBe(1);
    expect(m.get('sls_exporter_last_success_timestamp_seconds{metric="active_devices"}')).toBeGreaterThan(Date.now() / 1000 - 5);
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
    const m = await until('labelled series', async () => {
      const s = await scrape(exp);
      return s.has('active_devices{region="sh"}') ? s : undefined;
    });
    expect(m.get('active_devices{region="hz"}')).toBe(1);
    expect(m.get('active_devices{region="sh"}')).toBe(2);
  });

  it('polls once per interval whatever the scrape rate', async () => {
    const sls = await fakeSls({ curve: () => 5 });
    const exp = await start(sls, config(sls).replace('interval: 100ms', 'interval: 500ms'));
    await until('first value', async () => ((await scrape(exp)).get('active_devices') === 5 ? true : undefined));
    const q0 = sls.stats().queries;
    const t0 = Date.now();
    while (Date.now() - t0 < 1500) await Promise.all(Array.from({ length: 10 }, () => fetch(`${exp.url}/metrics`).then((r) => r.text())));
    const q = sls.stats().queries - q0;
    expect(q).toBeGreaterThanOrEqual(2);
    expect(q).toBeLessThanOrEqual(4);
  });

  it('scrapes within listen.renderCache share one rendering; 0 renders every scrape', async () => {
    let n = 0;
    const sls = await fakeSls({ curve: () => ++n });
    const value = async (exp: RunningExporter) => (await scrape(exp)).get('active_devices');
    const cached = await start(sls, config(sls, 'listen: {renderCache: 1500ms}'));
    await until('a value', async () => ((await value(cached)) !== undefined ? true : undefined));
    const first = await value(cached);
    await new Promise((r) => setTimeout(r, 500)); // several polls (100ms interval) later
    expect(await value(cached)).toBe(first);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await value(cached)).toBeGreaterThan(first!);

    const uncached = await start(sls, config(sls, 'listen: {renderCache: 0}'));
    await until('a value', async () => ((await value(uncached)) !== undefined ? true : undefined));
    const a = await value(uncached);
    await new Promise((r) => setTimeout(r, 500));
    expect(await value(uncached)).toBeGreaterThan(a!);
  });

  it('follows a rotated credentials file (RRSA-style) without a restart', async () => {
    const creds = [{ accessKeyId: 'key-one', accessKeySecret: 'secret-one' }];
    const sls = await fakeSls({ curve: () => 11, credentials: creds });
    const dir = mkdtempSync(join(tmpdir(), 'ebf-creds-'));
    const file = join(dir, 'credentials.json');
    writeFileSync(file, JSON.stringify({ AccessKeyId: 'key-one', AccessKeySecret: 'secret-one', SecurityToken: '' }));
    const yaml = config(sls).replace('credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}', `credentials: {file: ${file}}`);
    const exp = await start(sls, yaml);
    await until('value with key one', async () => ((await scrape(exp)).get('active_devices') === 11 ? true : undefined));
    // Rotate: the server stops accepting the old key, the file gets the new one.
    creds.splice(0, 1, { accessKeyId: 'key-two', accessKeySecret: 'secret-two' });
    writeFileSync(file, JSON.stringify({ AccessKeyId: 'key-two', AccessKeySecret: 'secret-two', Expiration: '2099-01-01T00:00:00Z' }));
    const before = (await scrape(exp)).get(errKey('InvalidAccessKeyId')) ?? 0;
    await new Promise((r) => setTimeout(r, 500));
    const m = await scrape(exp);
    expect(m.get('active_devices')).toBe(11);
    expect(m.get('sls_exporter_up{metric="active_devices"}')).toBe(1);
    // At most the one poll that raced the rewrite may have used the old key.
    expect((m.get(errKey('InvalidAccessKeyId')) ?? 0) - before).toBeLessThanOrEqual(1);
  });

  it('retries retriable errors within the interval and publishes the good answer', async () => {
    const sls = await fakeSls({ curve: () => 42 });
    const exp = await start(sls, config(sls).replace('interval: 100ms', 'interval: 2s').replace('retries: 0', 'retries: 3').replace('maxStaleness: 1s', 'maxStaleness: 10s'));
    sls.faults.inject({ kind: 'error', code: 'ServerBusy', times: 2 });
    const m = await until('value after retries', async () => {
      const s = await scrape(exp);
      return s.get('active_devices') === 42 ? s : undefined;
    });
    expect(m.get(errKey('ServerBusy'))).toBe(2);
  });

  it('never retries a non-retriable error', async () => {
    const sls = await fakeSls({ curve: () => 42 });
    const exp = await start(sls, config(sls).replace('interval: 100ms', 'interval: 2s').replace('retries: 0', 'retries: 3').replace('maxStaleness: 1s', 'maxStaleness: 10s'));
    sls.faults.inject({ kind: 'error', code: 'ProjectForbidden', times: 1 });
    await new Promise((r) => setTimeout(r, 700));
    expect(sls.stats().queries).toBe(1);
    expect((await scrape(exp)).get(errKey('ProjectForbidden'))).toBe(1);
    expect((await scrape(exp)).has('active_devices')).toBe(false);
  });

  it('stops exporting after maxStaleness without a good answer, and resumes', async () => {
    const sls = await fakeSls({ curve: () => 9 });
    const exp = await start(sls, config(sls));
    await until('value', async () => ((await scrape(exp)).get('active_devices') === 9 ? true : undefined));
    sls.faults.inject({ kind: 'error', code: 'LogStoreNotExist', times: 1000 });
    const gone = await until('metric gone', async () => {
      const s = await scrape(exp);
      return s.has('active_devices') ? undefined : s;
    }, 5000);
    expect(gone.get('sls_exporter_up{metric="active_devices"}')).toBe(0);
    sls.faults.clear();
    await until('value back', async () => ((await scrape(exp)).get('active_devices') === 9 ? true : undefined));
  });

  it('fault matrix: never crashes, never publishes a false value, counts exactly what was injected', async () => {
    const TRUTH = 777;
    const sls = await fakeSls({ curve: () => TRUTH });
    const exp = await start(sls, config(sls).replace('maxStaleness: 1s', 'maxStaleness: 60s'));
    await until('first value', async () => ((await scrape(exp)).get('active_devices') === TRUTH ? true : undefined));
    const seen = new Set<number>();
    let scraping = true;
    const scraper = (async () => {
      while (scraping) {
        const v = (await scrape(exp).catch(() => new Map<string, number>())).get('active_devices');
        if (v !== undefined) seen.add(v);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
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
      const before = await scrape(exp);
      sls.faults.inject(fault);
      if (code) {
        expected.set(code, (expected.get(code) ?? 0) + 1);
        await until(`${JSON.stringify(fault)} counted as ${code}`, async () => ((await scrape(exp)).get(errKey(code)) === expected.get(code) ? true : undefined));
      } else {
        await until('fault consumed', async () => (sls.faults.pending() === 0 ? true : undefined));
        await new Promise((r) => setTimeout(r, 300));
        const total = [...(await scrape(exp)).entries()].filter(([k]) => k.startsWith('sls_exporter_query_errors_total')).reduce((a, [, v]) => a + v, 0);
        const totalBefore = [...before.entries()].filter(([k]) => k.startsWith('sls_exporter_query_errors_total')).reduce((a, [, v]) => a + v, 0);
        expect(total).toBe(totalBefore);
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    scraping = false;
    await scraper;
    expect([...seen]).toEqual([TRUTH]);
    const final = await scrape(exp);
    const counted = Object.fromEntries([...final.entries()].filter(([k, v]) => k.startsWith('sls_exporter_query_errors_total') && v > 0).map(([k, v]) => [/code="([^"]+)"/.exec(k)![1]!, v]));
    expect(counted).toEqual(Object.fromEntries(expected));
    expect(final.get('active_devices')).toBe(TRUTH);
  }, 60_000);
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
