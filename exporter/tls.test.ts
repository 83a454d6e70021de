import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSls, type FakeSls } from '../harness/fake-sls/index.ts';
import { waitUntil } from '../core/wait.ts';
import { createSlsClient } from './sls-client.ts';
import { spawnMain } from './testing.ts';

/**
 * An `https://` endpoint, as production writes it: the exporter process (main.ts) speaks TLS to a
 * terminating proxy on loopback in front of the fake SLS (the test's own CA reaches the process
 * through NODE_EXTRA_CA_CERTS). Until the header-observing agent had an https twin, every such
 * query failed with ERR_INVALID_PROTOCOL.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tlsPair(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, 'sls.key');
  const certFile = join(dir, 'sls.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=chat-prod.localhost', '-addext', 'subjectAltName=DNS:chat-prod.localhost'], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/** TLS in front of the fake: each request is passed on unchanged (Host included, so the project survives). */
async function tlsProxy(tls: { key: string; cert: string }, sls: FakeSls): Promise<{ port: number; requests: number }> {
  const target = new URL(sls.url);
  const stats = { port: 0, requests: 0 };
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    stats.requests++;
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  stats.port = (server.address() as { port: number }).port;
  return stats;
}

describe('exporter with an https:// endpoint', () => {
  it('queries over TLS, keeps reading x-log-progress, and publishes the value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-tls-'));
    const tls = tlsPair(dir);
    const sls = await startFakeSls({ curve: () => 4242 });
    cleanups.push(() => sls.stop());
    const proxy = await tlsProxy(tls, sls);
    const config = join(dir, 'exporter.yaml');
    writeFileSync(config, `sls:\n  endpoint: https://localhost:${proxy.port}\n  credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}\nlisten: {host: 127.0.0.1, port: 0, renderCache: 0}\nmetrics:\n  - {name: active_devices, project: chat-prod, logstore: device-heartbeat, query: "* | select approx_distinct(device_id) as active_devices", valueColumn: active_devices, interval: 200ms, maxStaleness: 10s, retries: 0}\n`);
    const p = spawnMain(config, { NODE_EXTRA_CA_CERTS: tls.certFile });
    cleanups.push(() => p.stop());
    const port = await p.port();
    const body = await waitUntil('active_devices over https', 15_000, async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /^active_devices 4242$/m.test(text) ? text : undefined;
    });
    // Published only after a Complete answer: the header survived the TLS path too.
    expect(body).toMatch(/^sls_exporter_up\{metric="active_devices"\} 1$/m);
    expect(body).toMatch(/^sls_exporter_query_errors_total\{metric="active_devices",code="NetworkError"\} 0$/m);
    expect(proxy.requests).toBeGreaterThan(0);
    expect(sls.stats().queries).toBe(proxy.requests);
  }, 30_000);
});

describe('an endpoint built from the region', () => {
  it('is the real service, so HTTPS (a bare host would be plain HTTP on port 80)', () => {
    const creds = { get: () => ({ accessKeyId: 'a', accessKeySecret: 'b' }) };
    // The SDK keeps what it parsed from the endpoint on the client: no request needed (and no network here).
    const c = createSlsClient({ region: 'cn-hangzhou', internal: true, credentials: {} }, creds) as unknown as { endpoint: string; use_https: boolean };
    expect([c.endpoint, c.use_https]).toEqual(['cn-hangzhou-intranet.log.aliyuncs.com', true]);
    const bare = createSlsClient({ endpoint: 'cn-hangzhou-intranet.log.aliyuncs.com', internal: false, credentials: {} }, creds) as unknown as { use_https: boolean };
    expect(bare.use_https).toBe(false);
  });
});
