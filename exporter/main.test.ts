import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSls, type FakeSls } from '../harness/fake-sls/index.ts';
import { waitUntil } from '../core/wait.ts';
import { spawnMain } from './testing.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function configFile(sls: FakeSls, credentials: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ebf-main-')), 'exporter.yaml');
  writeFileSync(file, `sls:\n  endpoint: ${sls.endpoint}\n  credentials: ${credentials}\nlisten: {host: 127.0.0.1}\nmetrics:\n  - {name: active_devices, project: chat-prod, logstore: device-heartbeat, query: "* | select approx_distinct(device_id) as active_devices", valueColumn: active_devices, interval: 100ms, maxStaleness: 5s}\n`);
  return file;
}

async function fakeSls(): Promise<FakeSls> {
  const s = await startFakeSls({ curve: () => 5 });
  cleanups.push(() => s.stop());
  return s;
}

describe('exporter main (the image entry) as a process', () => {
  it('exits 2 at once when the port is taken, with a clear message, never querying SLS', async () => {
    const sls = await fakeSls();
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => holder.close(() => r())));
    const port = (holder.address() as { port: number }).port;
    const p = spawnMain(configFile(sls, '{accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}'), { EXPORTER_PORT: String(port) });
    cleanups.push(() => p.stop());
    const { code, stderr } = await p.exited;
    expect(code).toBe(2);
    expect(stderr).toContain(`error: exporter cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE)`);
    expect(stderr).toContain('hint: set listen.port in the config or EXPORTER_PORT to a free port');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(sls.stats().queries).toBe(0); // the process is gone: this is final
  });

  it('exits 2 naming the file and field when the credentials file is bad, never querying SLS', async () => {
    const sls = await fakeSls();
    const dir = mkdtempSync(join(tmpdir(), 'ebf-main-'));
    const missing = join(dir, 'missing.json');
    const p1 = spawnMain(configFile(sls, '{}'), { ALIBABA_CLOUD_CREDENTIALS_FILE: missing, EXPORTER_PORT: '0' });
    cleanups.push(() => p1.stop());
    const r1 = await p1.exited;
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`error: credentials file ${missing}: cannot read it (ENOENT)`);
    const partial = join(dir, 'partial.json');
    writeFileSync(partial, '{"AccessKeyId": "ebbflow-test-ak"}');
    const p2 = spawnMain(configFile(sls, '{}'), { ALIBABA_CLOUD_CREDENTIALS_FILE: partial, EXPORTER_PORT: '0' });
    cleanups.push(() => p2.stop());
    const r2 = await p2.exited;
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`error: credentials file ${partial}: AccessKeySecret: missing`);
    expect(sls.stats().queries).toBe(0);
  });

  it('serves and polls with good credentials, and exits 0 on SIGTERM', async () => {
    const sls = await fakeSls();
    const p = spawnMain(configFile(sls, '{}'), { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ebbflow-test-ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ebbflow-test-secret', EXPORTER_PORT: '0' });
    cleanups.push(() => p.stop());
    const port = await p.port();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const body = await waitUntil('active_devices published', 10_000, async () => {
      const t = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /^active_devices 5$/m.test(t) ? t : undefined;
    }, undefined, 50);
    expect(body).toMatch(/^sls_exporter_up\{metric="active_devices"\} 1$/m);
    await p.stop();
    expect((await p.exited).code).toBe(0);
  });
});
