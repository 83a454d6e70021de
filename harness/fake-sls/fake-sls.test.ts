import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { HeaderObservingAgent } from '../../exporter/sls-client.ts';
import { EventStore, execute, parseQuery, QueryError, sign, startFakeSls, type FakeSls } from './index.ts';

const require = createRequire(import.meta.url);
const Client = require('@alicloud/log') as new (c: object) => {
  getLogs(p: string, l: string, f: Date, t: Date, d: object, o?: object): Promise<unknown>;
  postLogStoreLogs(p: string, l: string, d: object, o?: object): Promise<unknown>;
};
const agent = new HeaderObservingAgent();

/** fetch() cannot set Host; SLS routes projects by Host, so raw requests go through node:http. */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<{ status: number; json: () => unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `chat-prod.localhost:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
const opts = { agent };
const ev = (fields: Record<string, string>, time = 100) => ({ time, fields });

describe('signature', () => {
  it("matches the SDK's published test vector", () => {
    const s = sign(
      { verb: 'GET', path: '/logstores', query: { logstoreName: '', offset: '0', size: '1000' }, headers: { date: 'Mon, 09 Nov 2015 06:11:16 GMT', 'x-log-apiversion': '0.6.0', 'x-log-signaturemethod': 'hmac-sha1' } },
      'bq2sjzesjmo86kq35behupbq',
      '4fdO2fTDDnZPU/L7CHNdemB2Nsk=',
    );
    expect(s).toBe('LOG bq2sjzesjmo86kq35behupbq:jEYOTCJs2e88o+y5F4/S5IsnBJQ=');
  });
});

describe('query subset', () => {
  const events = [
    ev({ device_id: 'a', region: 'hz', v: '1' }),
    ev({ device_id: 'a', region: 'hz', v: '5' }),
    ev({ device_id: 'b', region: 'sh', v: '7' }),
    ev({ device_id: 'c', region: 'sh', v: '9' }),
  ];
  it.each([
    ['* | select count(*) as n', [{ n: '4' }]],
    ['* | select count(1) as n', [{ n: '4' }]],
    ['* | select count(distinct device_id) as d', [{ d: '3' }]],
    ['* | select approx_distinct(device_id) as active_devices', [{ active_devices: '3' }]],
    ['region: sh | select count(*) as n', [{ n: '2' }]],
    ['* | select count(*) as n where v > 4 and region = \'sh\'', [{ n: '2' }]],
    ['* | select count(*) as n from log where v <= 5', [{ n: '2' }]],
    ['* | select region, approx_distinct(device_id) as d group by region', [{ region: 'hz', d: '1' }, { region: 'sh', d: '2' }]],
  ])('%s', (q, want) => {
    const rows = execute(parseQuery(q), events).map(({ __source__: _s, __time__: _t, ...r }) => r);
    expect(rows).toEqual(want);
  });
  it.each([
    '* | select sum(v) as s',
    '* | select count(*) as n where v > 1 or v < 0',
    '* | select device_id, count(*)',
    '* | select count(*) from other',
    '* | delete from log',
    'a: b or c: d | select count(*)',
    '* | select count(*) as n limit x',
  ])('rejects %s as ParameterInvalid', (q) => {
    expect(() => parseQuery(q)).toThrow(QueryError);
  });
});

describe('event store', () => {
  it('keeps at most maxEvents and drops events older than the retention', () => {
    const s = new EventStore(1000, 60);
    for (let i = 0; i < 5000; i++) s.append('p', 'l', [ev({ i: String(i) }, 1000)], 1000);
    expect(s.size('p', 'l')).toBe(1000);
    expect([...s.window('p', 'l', 0, 2000)][0]!.fields.i).toBe('4000');
    s.append('p', 'l', [ev({ i: 'new' }, 1100)], 1100);
    expect(s.size('p', 'l')).toBe(1);
  });
});

describe('fake SLS over HTTP with the real SDK', () => {
  let sls: FakeSls;
  let client: InstanceType<typeof Client>;
  const now = () => Date.now();
  beforeAll(async () => {
    sls = await startFakeSls({ credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }, { accessKeyId: 'sts-ak', accessKeySecret: 'sts-sk', securityToken: 'tok' }], retentionSeconds: 86_400 * 365 * 100 });
    client = new Client({ endpoint: sls.endpoint, accessKeyId: 'ak', accessKeySecret: 'sk' });
  });
  afterAll(() => sls.stop());
  const win = () => [new Date(now() - 60_000), new Date(now() + 1000)] as const;

  it('ingests PutLogs (protobuf) and WebTracking, and counts distinct devices in the window', async () => {
    const t = Math.floor(now() / 1000);
    await client.postLogStoreLogs('chat-prod', 'device-heartbeat', { logs: [{ timestamp: t, content: { device_id: 'd1' } }, { timestamp: t, content: { device_id: 'd2' } }, { timestamp: t - 3600, content: { device_id: 'old' } }] }, opts);
    const r = await raw(sls.port, 'POST', '/logstores/device-heartbeat/track', { 'content-type': 'application/json' }, JSON.stringify({ __topic__: 'hb', __logs__: [{ device_id: 'd2' }, { device_id: 'd3' }] }));
    expect(r.status).toBe(200);
    const [f, to] = win();
    const rows = await client.getLogs('chat-prod', 'device-heartbeat', f, to, { query: '* | select approx_distinct(device_id) as active_devices' }, opts);
    expect(rows).toEqual([expect.objectContaining({ active_devices: '3' })]);
  });

  it('sends the headers real SLS sends', async () => {
    const [f, to] = win();
    await client.getLogs('chat-prod', 'device-heartbeat', f, to, { query: '* | select count(*) as n' }, agent.callOptions(42, 5000));
    const h = agent.take(42)!;
    expect(h['x-log-progress']).toBe('Complete');
    expect(h['x-log-count']).toBe('1');
    expect(h['x-log-requestid']).toMatch(/^[0-9A-F]{24}$/);
  });

  it('answers GetLogsV2 with meta and data', async () => {
    const body = Buffer.from(JSON.stringify({ from: Math.floor(now() / 1000) - 60, to: Math.floor(now() / 1000) + 1, query: '* | select count(*) as n' }));
    const { createHash } = await import('node:crypto');
    const headers: Record<string, string> = { 'content-type': 'application/json', date: new Date().toUTCString(), 'x-log-apiversion': '0.6.0', 'x-log-signaturemethod': 'hmac-sha1', 'content-md5': createHash('md5').update(body).digest('hex').toUpperCase() };
    headers.authorization = sign({ verb: 'POST', path: '/logstores/device-heartbeat/logs', query: {}, headers }, 'ak', 'sk');
    const r = await raw(sls.port, 'POST', '/logstores/device-heartbeat/logs', headers, body);
    const j = r.json() as { meta: { progress: string }; data: { n: string }[] };
    expect(j.meta.progress).toBe('Complete');
    expect(Number(j.data[0]!.n)).toBeGreaterThan(0);
  });

  it.each([
    ['unknown key (as the service answers the Go SDK)', () => new Client({ endpoint: sls.endpoint, accessKeyId: 'nobody', accessKeySecret: 'x' }), 'chat-prod', 'device-heartbeat', '*', 'Unauthorized'],
    ['wrong secret (tampering)', () => new Client({ endpoint: sls.endpoint, accessKeyId: 'ak', accessKeySecret: 'wrong' }), 'chat-prod', 'device-heartbeat', '*', 'SignatureNotMatch'],
    ['STS key without its token', () => new Client({ endpoint: sls.endpoint, accessKeyId: 'sts-ak', accessKeySecret: 'sts-sk' }), 'chat-prod', 'device-heartbeat', '*', 'Unauthorized'],
    ['unknown project', () => client, 'nope', 'device-heartbeat', '*', 'ProjectNotExist'],
    ['unknown logstore', () => client, 'chat-prod', 'nope', '*', 'LogStoreNotExist'],
    ['bad SQL', () => client, 'chat-prod', 'device-heartbeat', '* | select median(x)', 'ParameterInvalid'],
  ])('rejects %s with the SLS error code', async (_n, mk, project, logstore, query, code) => {
    const [f, to] = win();
    await expect(mk().getLogs(project, logstore, f, to, { query }, opts)).rejects.toMatchObject({ code });
  });

  it('accepts an STS key with its token', async () => {
    const sts = new Client({ endpoint: sls.endpoint, accessKeyId: 'sts-ak', accessKeySecret: 'sts-sk', securityToken: 'tok' });
    const [f, to] = win();
    await expect(sts.getLogs('chat-prod', 'device-heartbeat', f, to, { query: '* | select count(*) as n' }, opts)).resolves.toBeInstanceOf(Array);
  });

  it('rejects a request dated more than 15 minutes off', async () => {
    const headers: Record<string, string> = { date: new Date(Date.now() - 16 * 60_000).toUTCString(), 'x-log-apiversion': '0.6.0', 'x-log-signaturemethod': 'hmac-sha1' };
    const q = { type: 'log', from: '0', to: '1', query: '*' };
    headers.authorization = sign({ verb: 'GET', path: '/logstores/device-heartbeat', query: q, headers }, 'ak', 'sk');
    const r = await raw(sls.port, 'GET', `/logstores/device-heartbeat?${new URLSearchParams(q)}`, headers);
    expect(r.status).toBe(400);
    expect((r.json() as { errorCode: string }).errorCode).toBe('RequestTimeExpired');
  });

  it('every injected error code comes back with its HTTP status', async () => {
    const { SLS_ERRORS } = await import('./faults.ts');
    for (const [code, status] of Object.entries(SLS_ERRORS)) {
      sls.faults.inject({ kind: 'error', code: code as keyof typeof SLS_ERRORS });
      const headers: Record<string, string> = { date: new Date().toUTCString(), 'x-log-apiversion': '0.6.0', 'x-log-signaturemethod': 'hmac-sha1' };
      const q = { type: 'log', from: '0', to: '1', query: '*' };
      headers.authorization = sign({ verb: 'GET', path: '/logstores/device-heartbeat', query: q, headers }, 'ak', 'sk');
      const r = await raw(sls.port, 'GET', `/logstores/device-heartbeat?${new URLSearchParams(q)}`, headers);
      expect([code, r.status]).toEqual([code, status]);
      expect((r.json() as { errorCode: string }).errorCode).toBe(code);
    }
    expect(sls.faults.injected()['error:ServerBusy']).toBe(1);
  });

  it('admin endpoint injects faults', async () => {
    await fetch(`${sls.url}/_admin/faults`, { method: 'POST', body: JSON.stringify({ kind: 'html502' }) });
    const [f, to] = win();
    const res = await client.getLogs('chat-prod', 'device-heartbeat', f, to, { query: '*' }, opts);
    expect(String(res)).toContain('502 Bad Gateway');
    const j = (await (await fetch(`${sls.url}/_admin/faults`)).json()) as { injected: Record<string, number> };
    expect(j.injected.html502).toBe(1);
  });

  it('curve mode answers aggregates from the curve at the virtual time', async () => {
    let v = 1_000_000;
    const c = await startFakeSls({ curve: (ms) => ms / 1000, now: () => v * 1000 });
    try {
      const cl = new Client({ endpoint: c.endpoint, accessKeyId: 'ebbflow-test-ak', accessKeySecret: 'ebbflow-test-secret' });
      const q = { query: '* | select approx_distinct(device_id) as active_devices' };
      const [f, to] = win();
      expect(await cl.getLogs('chat-prod', 'device-heartbeat', f, to, q, opts)).toEqual([expect.objectContaining({ active_devices: '1000000' })]);
      v = 2_345_678;
      expect(await cl.getLogs('chat-prod', 'device-heartbeat', f, to, q, opts)).toEqual([expect.objectContaining({ active_devices: '2345678' })]);
      expect(c.stats().queries).toBe(2);
    } finally {
      await c.stop();
    }
  });
});
