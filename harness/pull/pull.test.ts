import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeaderObservingAgent } from '../../exporter/sls-client.ts';
import { startFakeSls, type FakeSls } from '../fake-sls/index.ts';
import { parseCurveCsv } from '../../scenarios/curve.ts';
import { pullCurve, type PullOptions } from './pull.ts';

const require = createRequire(import.meta.url);
const Client = require('@alicloud/log') as new (c: object) => { postLogStoreLogs(p: string, l: string, d: object, o?: object): Promise<unknown> };

// A past day, so the fake holds it as history: 00:00 … 00:10 UTC of 2026-11-20.
const D = Date.UTC(2026, 10, 20) / 1000;
/** Devices that sent a heartbeat in each minute (some twice), minute 3 and 7 silent. */
const PER_MINUTE = [3, 5, 8, 0, 13, 21, 2, 0, 1, 4];

describe('curve pull against the fake SLS with events', () => {
  let sls: FakeSls;
  let dir: string;
  let config: string;
  const base = (o: Partial<PullOptions> = {}): PullOptions => ({ config, metric: 'active_devices', from: '2026-11-20T00:00:00Z', to: '2026-11-20T00:10:00Z', step: '1m', out: join(dir, `c${Math.random()}.csv`), version: '0.0.0-test', env: {}, retry: { attempts: 4, baseMs: 1, maxMs: 5 }, ...o });

  beforeAll(async () => {
    sls = await startFakeSls({ credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }], retentionSeconds: 86_400 * 365 * 100 });
    dir = mkdtempSync(join(tmpdir(), 'ebbflow-pull-'));
    config = join(dir, 'exporter.yaml');
    writeFileSync(
      config,
      [
        'sls:',
        `  endpoint: ${sls.endpoint}`,
        '  credentials: {accessKeyId: ak, accessKeySecret: sk}',
        'metrics:',
        '  - {name: active_devices, project: chat-prod, logstore: device-heartbeat, query: "* | select approx_distinct(device_id) as active_devices", valueColumn: active_devices, window: 1m}',
        '  - {name: by_region, project: chat-prod, logstore: device-heartbeat, query: "* | select region, count(*) as n group by region", valueColumn: n, labelColumns: [region]}',
        '  - {name: wrong_store, project: chat-prod, logstore: no-such-store, query: "* | select count(*) as n", valueColumn: n}',
      ].join('\n'),
    );
    const client = new Client({ endpoint: sls.endpoint, accessKeyId: 'ak', accessKeySecret: 'sk' });
    const logs = PER_MINUTE.flatMap((n, m) => Array.from({ length: n }, (_, d) => [{ timestamp: D + m * 60 + d, content: { device_id: `dev-${d}` } }, { timestamp: D + m * 60 + 59, content: { device_id: `dev-${d}` } }]).flat());
    // A heartbeat just outside the range must not count.
    logs.push({ timestamp: D + 600, content: { device_id: 'late' } });
    await client.postLogStoreLogs('chat-prod', 'device-heartbeat', { logs }, { agent: new HeaderObservingAgent() });
  });
  afterAll(async () => {
    await sls.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => /^\d{4}-/.test(l));

  it('writes the distinct devices per minute, over several pages, readable as a curve', async () => {
    const pages: number[] = [];
    const r = await pullCurve(base({ rowsPerPage: 3, onPage: (done) => pages.push(done) }));
    expect(r.pages).toBe(4);
    expect(pages).toEqual([1, 2, 3, 4]);
    expect(rows(r.out)).toEqual(PER_MINUTE.map((n, m) => `2026-11-20T00:${String(m).padStart(2, '0')}:00Z,${n}`));
    const text = readFileSync(r.out, 'utf8');
    expect(text).toMatch(/^# pulled by ebbflow 0\.0\.0-test curve pull at /);
    expect(text).toContain('# project: chat-prod\n# logstore: device-heartbeat\n# metric: active_devices\n');
    expect(text).toContain('# query: * | select __time__ - __time__ % 60 as ebbflow_bucket, approx_distinct(device_id) as active_devices group by ebbflow_bucket order by ebbflow_bucket limit 3');
    const curve = parseCurveCsv(text, r.out);
    expect(curve.startMs).toBe(D * 1000);
    expect(curve.at(5 * 60)).toBe(21);
  });

  it('retries Incomplete, ReadQuotaExceed and ServerBusy, and the result is the same', async () => {
    sls.faults.inject({ kind: 'incomplete' });
    sls.faults.inject({ kind: 'error', code: 'ReadQuotaExceed' });
    sls.faults.inject({ kind: 'error', code: 'ServerBusy' });
    const retried: string[] = [];
    const r = await pullCurve(base({ rowsPerPage: 5, onRetry: (code) => retried.push(code) }));
    expect(retried.sort()).toEqual(['Incomplete', 'ReadQuotaExceed', 'ServerBusy']);
    expect(r.retries).toBe(3);
    expect(rows(r.out).map((l) => Number(l.split(',')[1]))).toEqual(PER_MINUTE);
  });

  it('gives up after the attempts with a user error', async () => {
    sls.faults.inject({ kind: 'error', code: 'ServerBusy', times: 4 });
    await expect(pullCurve(base())).rejects.toMatchObject({ name: 'UserError', message: expect.stringMatching(/kept answering ServerBusy after 4 attempts/) });
    sls.faults.clear();
  });

  it("pulls a curve-mode fake's curve back exactly (each bucket answers the curve at its start)", async () => {
    const curveSls = await startFakeSls({ credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }], curve: (ms) => (ms / 1000 - D) / 60 + 100 });
    try {
      const cfg = join(dir, 'curve-exporter.yaml');
      writeFileSync(cfg, readFileSync(config, 'utf8').replace(sls.endpoint, curveSls.endpoint));
      const r = await pullCurve(base({ config: cfg, step: '5m', from: '2026-11-20T00:00:00Z', to: '2026-11-20T01:00:00Z' }));
      expect(rows(r.out).map((l) => Number(l.split(',')[1]))).toEqual(Array.from({ length: 12 }, (_, i) => 100 + 5 * i));
    } finally {
      await curveSls.stop();
    }
  });

  it('refuses, with exit-2 errors, what cannot be pulled', async () => {
    await expect(pullCurve(base({ metric: 'by_region' }))).rejects.toMatchObject({ name: 'UserError', message: expect.stringMatching(/metric by_region: the query cannot be pulled as a curve/) });
    await expect(pullCurve(base({ metric: 'nope' }))).rejects.toMatchObject({ name: 'UserError', hint: expect.stringContaining('active_devices, by_region, wrong_store') });
    await expect(pullCurve(base({ metric: 'wrong_store' }))).rejects.toMatchObject({ name: 'UserError', message: expect.stringMatching(/LogStoreNotExist/) });
    await expect(pullCurve(base({ from: '2026-11-21' }))).rejects.toMatchObject({ name: 'UserError', message: expect.stringMatching(/is not before --to/) });
    const out = join(dir, 'exists.csv');
    writeFileSync(out, 'keep');
    await expect(pullCurve(base({ out }))).rejects.toMatchObject({ name: 'UserError', message: expect.stringMatching(/exists/) });
    expect(readFileSync(out, 'utf8')).toBe('keep');
    await pullCurve(base({ out, force: true }));
    expect(rows(out)).toHaveLength(10);
  });
});
