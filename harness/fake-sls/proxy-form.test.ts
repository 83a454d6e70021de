import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { DEFAULT_CREDENTIALS, sign, startFakeSls, type FakeSls } from './index.ts';
import { originForm } from './router.ts';

/**
 * The fake as an HTTP proxy: a replay hands a team's exporter HTTP_PROXY=<the fake>, so an SDK dials
 * no `<project>.localhost`; the request then names the absolute URL, as HTTP proxies receive it.
 */

let sls: FakeSls;
beforeAll(async () => {
  sls = await startFakeSls({ curve: () => 4321, now: () => Date.now() });
});
afterAll(() => sls.stop());

function viaProxy(target: string, query: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(target);
  const cred = DEFAULT_CREDENTIALS[0]!;
  const headers: Record<string, string> = { date: new Date().toUTCString(), 'x-log-apiversion': '0.6.0', 'x-log-signaturemethod': 'hmac-sha1' };
  headers.authorization = sign({ verb: 'GET', path: url.pathname, query, headers }, cred.accessKeyId, cred.accessKeySecret);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: sls.port, method: 'GET', path: `${target}?${new URLSearchParams(query)}`, headers: { ...headers, host: url.host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('absolute-form requests (the fake as HTTP proxy)', () => {
  it('originForm keeps the path and query of an absolute URL, and leaves a path alone', () => {
    expect(originForm('http://chat-prod.localhost:18080/logstores/x?type=log')).toBe('/logstores/x?type=log');
    expect(originForm('HTTP://chat-prod.localhost?type=log')).toBe('/?type=log');
    expect(originForm('/logstores/x')).toBe('/logstores/x');
  });

  it('answers a signed GetLogs sent to it as a proxy, reading the project from the Host header', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await viaProxy(`http://chat-prod.localhost:${sls.port}/logstores/device-heartbeat`, { type: 'log', from: String(now - 60), to: String(now), query: '* | select approx_distinct(device_id) as active_devices', line: '100', offset: '0', reverse: 'false' });
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body)).toEqual([expect.objectContaining({ active_devices: '4321' })]);
    expect(sls.stats().byLogstore).toEqual({ 'chat-prod/device-heartbeat': 1 });
  });
});
