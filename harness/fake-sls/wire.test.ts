import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { canonicalString, compress, decompress, parseFaultBody, sign, startFakeSls, type CompressType, type FakeSls } from './index.ts';
import { isLoopback } from './admin.ts';

/** Wire details the SDK e2e tests cannot reach cheaply: every codec, malformed requests, admin input. */

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs') as { loadSync(p: string): { lookupType(n: string): { encode(m: object): { finish(): Uint8Array } } } };
const LogGroup = protobuf.loadSync(require.resolve('@alicloud/log/lib/sls.proto')).lookupType('sls.LogGroup');

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json: () => { errorCode?: string; errorMessage?: string } & Record<string, unknown> };

function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `chat-prod.localhost:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, json: () => JSON.parse(b.toString('utf8')) as ReturnType<Reply['json']> });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A request signed as the SDKs sign it; `extra` headers are added after signing when `afterSign`. */
function signed(port: number, method: string, path: string, query: Record<string, string>, body: Buffer | undefined, headers: Record<string, string> = {}, afterSign: Record<string, string> = {}): Promise<Reply> {
  const h: Record<string, string> = { date: new Date().toUTCString(), 'x-log-apiversion': '0.6.0', 'x-log-signaturemethod': 'hmac-sha1', ...headers };
  if (body) h['content-md5'] = createHash('md5').update(body).digest('hex').toUpperCase();
  h.authorization = sign({ verb: method, path, query, headers: h }, 'ak', 'sk');
  const qs = new URLSearchParams(query).toString();
  return raw(port, method, qs ? `${path}?${qs}` : path, { ...h, ...afterSign }, body);
}

const nowS = () => Math.floor(Date.now() / 1000);
const group = (ids: string[]) => Buffer.from(LogGroup.encode({ Topic: 't', Logs: ids.map((id) => ({ Time: nowS(), Contents: [{ Key: 'device_id', Value: id }] })) }).finish());

describe('signature canonicalisation', () => {
  const base = { verb: 'GET', path: '/logstores', headers: { date: 'd', 'x-log-apiversion': '0.6.0' } };
  it('leaves x-log-date and x-log-meta-* out, as the Python SDK adds or skips them', () => {
    const a = canonicalString({ ...base, query: {} });
    expect(canonicalString({ ...base, query: {}, headers: { ...base.headers, 'x-log-date': 'later', 'x-log-meta-a': '1' } })).toBe(a);
    expect(canonicalString({ ...base, query: {}, headers: { ...base.headers, 'x-acs-security-token': 't' } })).not.toBe(a);
  });
  it('sorts parameters by key, as the Python and Go SDKs do', () => {
    expect(canonicalString({ ...base, query: { 'a-b': '1', a: '2' } })).toMatch(/\/logstores\?a=2&a-b=1$/);
  });
});

describe('codecs', () => {
  it.each(['lz4', 'zstd', 'deflate', 'none'] as CompressType[])('%s round-trips and checks the declared raw size', async (c) => {
    const data = Buffer.from('device_id=abc;'.repeat(200));
    const z = await compress(data, c);
    expect(await decompress(z, c, String(data.length))).toEqual(data);
    await expect(decompress(z, c, String(data.length + 1))).rejects.toMatchObject({ code: c === 'none' ? 'InvalidBodyRawSize' : expect.stringMatching(/InvalidBodyRawSize|PostBodyUncompressError/) });
  });
});

describe('fake SLS wire', () => {
  let sls: FakeSls;
  beforeAll(async () => {
    sls = await startFakeSls({ credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }], projects: { 'chat-prod': ['a', 'b', 'c', 'd', 'w'] } });
  });
  afterAll(() => sls.stop());
  const count = (ls: string) => sls.store.size('chat-prod', ls);

  it.each([
    ['lz4', '/logstores/a/shards/lb', {}],
    ['zstd', '/logstores/b', {}],
    ['deflate', '/logstores/c/shards/route', { key: 'ff' }],
    ['none', '/logstores/d/shards/lb', {}],
  ] as [CompressType, string, Record<string, string>][])('PutLogs %s on %s', async (c, path, query) => {
    const body = group(['x', 'y']);
    const z = await compress(body, c);
    const r = await signed(sls.port, 'POST', path, query, z, { 'content-type': 'application/x-protobuf', 'x-log-bodyrawsize': String(body.length), ...(c === 'none' ? {} : { 'x-log-compresstype': c }) }, { 'x-log-date': 'added after signing' });
    expect([r.status, r.body.toString()]).toEqual([200, '']);
    expect(count(path.split('/')[2]!)).toBe(2);
  });

  it.each([
    ['an unknown codec', { 'x-log-compresstype': 'snappy' }, group(['x']), 400, 'InvalidCompressType'],
    ['a raw size that does not match', { 'x-log-bodyrawsize': '3' }, group(['x']), 400, 'InvalidBodyRawSize'],
    ['lz4 that does not decompress', { 'x-log-compresstype': 'lz4', 'x-log-bodyrawsize': '100' }, Buffer.from([0xff, 0xff, 0xff]), 400, 'PostBodyUncompressError'],
    ['a body that is not a LogGroup', {}, Buffer.from([0x0a, 0xff, 0xff]), 400, 'PostBodyInvalid'],
  ])('PutLogs with %s is a 4xx', async (_n, headers, body, status, code) => {
    const r = await signed(sls.port, 'POST', '/logstores/w/shards/lb', {}, body, { 'content-type': 'application/x-protobuf', 'x-log-bodyrawsize': String(body.length), ...headers });
    expect([r.status, r.json().errorCode]).toEqual([status, code]);
  });

  it('answers GetLogsV2 compressed when Accept-Encoding asks', async () => {
    const body = Buffer.from(JSON.stringify({ from: nowS() - 60, to: nowS() + 5, query: '* | select count(*) as n' }));
    const r = await signed(sls.port, 'POST', '/logstores/a/logs', {}, body, { 'content-type': 'application/json', 'x-log-bodyrawsize': String(body.length), 'accept-encoding': 'lz4' });
    expect(r.headers['x-log-compresstype']).toBe('lz4');
    const json = await decompress(r.body, 'lz4', r.headers['x-log-bodyrawsize']);
    expect(JSON.parse(json.toString())).toMatchObject({ meta: { progress: 'Complete', hasSQL: true }, data: [{ n: '2' }] });
  });

  it('WebTracking: GET with APIVersion and POST with __tags__, __time__ set by the server, __proto__ an ordinary field', async () => {
    const g = await raw(sls.port, 'GET', '/logstores/w/track?APIVersion=0.6.0&device_id=g1&__topic__=web&constructor=k', {});
    expect(g.status).toBe(200);
    const post = '{"__topic__":"app","__tags__":{"zone":"i"},"__logs__":[{"device_id":"p1","__time__":"12","__proto__":"x"}]}';
    expect((await raw(sls.port, 'POST', '/logstores/w/track', { 'content-type': 'application/json' }, post)).status).toBe(200);
    const rows = sls.store.window('chat-prod', 'w', nowS() - 5, nowS() + 5);
    expect(rows.map((e) => ({ ...e.fields }))).toEqual([
      expect.objectContaining({ device_id: 'g1', __topic__: 'web', constructor: 'k', __source__: '127.0.0.1' }),
      expect.objectContaining({ device_id: 'p1', __topic__: 'app', '__tag__:zone': 'i', ['__proto__']: 'x' }),
    ]);
    expect(rows[1]!.fields.__time__).toBeUndefined();
    expect((await raw(sls.port, 'GET', '/logstores/w/track?device_id=g1', {})).json().errorCode).toBe('ParameterInvalid');
  });

  it('answers an alias named __proto__ as an ordinary column, from events and in curve mode', async () => {
    const q = { type: 'log', from: String(nowS() - 60), to: String(nowS() + 5), query: '* | select count(*) as __proto__, count(*) as constructor' };
    const r = await signed(sls.port, 'GET', '/logstores/a', q, undefined);
    expect(r.body.toString()).toContain('"__proto__":"2","constructor":"2"');
    sls.setCurve(() => 7);
    try {
      expect((await signed(sls.port, 'GET', '/logstores/a', q, undefined)).body.toString()).toContain('"__proto__":"7"');
    } finally {
      sls.setCurve(undefined);
    }
  });

  it('GetHistograms and ListLogStores answer in the shapes the SDKs parse', async () => {
    const h = await signed(sls.port, 'GET', '/logstores/a', { type: 'histogram', from: String(nowS() - 60), to: String(nowS() + 60), query: '*' }, undefined);
    const bins = JSON.parse(h.body.toString()) as { from: number; to: number; count: number; progress: string }[];
    expect([h.headers['x-log-count'], bins.reduce((a, b) => a + b.count, 0), bins.length]).toEqual(['2', 2, 60]);
    const l = await signed(sls.port, 'GET', '/logstores', { offset: '1', size: '2' }, undefined);
    expect(l.json()).toEqual({ count: 2, total: 5, logstores: ['b', 'c'] });
  });

  it.each([
    ['GET', '/nowhere', 400, 'ParameterInvalid'],
    ['DELETE', '/logstores/a', 400, 'ParameterInvalid'],
    ['GET', '/logstores/%E0%A4%A', 400, 'ParameterInvalid'],
    ['POST', '/logstores/w/track', 400, 'PostBodyInvalid'],
  ])('%s %s is a client error, never a 500', async (method, path, status, code) => {
    const r = await raw(sls.port, method, path, { 'content-type': 'application/json' }, method === 'POST' ? '{"__logs__": ' : undefined);
    expect([r.status, r.json().errorCode]).toEqual([status, code]);
  });

  it.each([
    ['a from that is not a number', { type: 'log', from: 'yesterday', to: '1' }],
    ['a line over 100', { type: 'log', from: '0', to: '1', line: '1000' }],
    ['an unknown type', { type: 'logs', from: '0', to: '1' }],
  ])('GetLogs with %s is ParameterInvalid', async (_n, q) => {
    const r = await signed(sls.port, 'GET', '/logstores/a', q, undefined);
    expect([r.status, r.json().errorCode]).toEqual([400, 'ParameterInvalid']);
  });

  it('GetLogsV2 with a body that is not JSON is PostBodyInvalid', async () => {
    const body = Buffer.from('{from:');
    const r = await signed(sls.port, 'POST', '/logstores/a/logs', {}, body, { 'content-type': 'application/json', 'x-log-bodyrawsize': String(body.length) });
    expect([r.status, r.json().errorCode]).toEqual([400, 'PostBodyInvalid']);
  });

  it('/_admin/faults refuses bad bodies with a 400 naming the field', async () => {
    const post = (b: string) => fetch(`${sls.url}/_admin/faults`, { method: 'POST', body: b }).then(async (r) => [r.status, ((await r.json()) as { errorMessage?: string }).errorMessage ?? ''] as const);
    expect(await post('{"kind":"latency"}')).toEqual([400, expect.stringContaining('ms:')]);
    expect(await post('[{"kind":"error","code":"ServerBusy"},{"kind":"slowBody","ms":-1}]')).toEqual([400, expect.stringContaining('[1].ms:')]);
    expect(await post('{"kind":"error","code":"Nope"}')).toEqual([400, expect.stringContaining('code:')]);
    expect(await post('{"kind":"error","code":"ServerBusy","tims":2}')).toEqual([400, expect.stringContaining('tims')]);
    expect(await post('not json')).toEqual([400, expect.stringContaining('not valid JSON')]);
    expect(sls.faults.pending()).toBe(0);
    expect((await post('{"kind":"error","code":"ServerBusy","times":2}'))[0]).toBe(200);
    expect(sls.faults.pending()).toBe(2);
    expect((await post('{"clear":true}'))[0]).toBe(200);
    expect(sls.faults.pending()).toBe(0);
  });
});

describe('admin input', () => {
  it('parses faults and clear', () => {
    expect(parseFaultBody({ clear: true })).toBe('clear');
    expect(parseFaultBody([{ kind: 'reset', times: 3 }])).toEqual([{ kind: 'reset', times: 3 }]);
    expect(() => parseFaultBody({ kind: 'explode' })).toThrow(/kind/);
  });
  it('treats only loopback addresses as local', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.5'].map(isLoopback)).toEqual([true, true, true]);
    expect(['10.0.0.1', '::ffff:192.168.1.2', '', undefined].map(isLoopback)).toEqual([false, false, false, false]);
  });
});

describe('no client input gets a 5xx', () => {
  let sls: FakeSls;
  beforeAll(async () => {
    sls = await startFakeSls({ credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }] });
  });
  afterAll(() => sls.stop());

  it('answers arbitrary signed and unsigned requests with a 2xx or 4xx', async () => {
    const fc = (await import('fast-check')).default;
    const path = fc.constantFrom('/logstores', '/logstores/device-heartbeat', '/logstores/device-heartbeat/logs', '/logstores/device-heartbeat/shards/lb', '/logstores/device-heartbeat/track', '/logstores/device-heartbeat/track_ua.gif', '/logstores/%zz', '/_admin/faults', '/_admin/curve', '/x');
    const query = fc.dictionary(fc.constantFrom('type', 'from', 'to', 'query', 'line', 'offset', 'APIVersion', '__proto__', 'constructor', 'interval', 'key'), fc.oneof(fc.constantFrom('log', 'histogram', '0.6.0', '*', '-1', '1e99', '* | select count(*) as n'), fc.string()));
    const headers = fc.record({ 'x-log-compresstype': fc.constantFrom('lz4', 'zstd', 'deflate', 'none', 'gzip', ''), 'x-log-bodyrawsize': fc.constantFrom('0', '5', '-1', 'abc', '99999999999', '3') }, { requiredKeys: [] });
    const body = fc.oneof(fc.constant(''), fc.json(), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), path, query, headers, body, fc.boolean(), async (method, p, q, h, b, doSign) => {
        const buf = typeof b === 'string' ? Buffer.from(b) : b;
        const send = method === 'GET' || method === 'DELETE' ? undefined : buf;
        const r = doSign ? await signed(sls.port, method, p, q, send, h) : await raw(sls.port, method, `${p}?${new URLSearchParams(q)}`, h, send);
        expect(r.status, `${method} ${p} ${JSON.stringify(q)} ${JSON.stringify(h)} → ${r.body.toString().slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
