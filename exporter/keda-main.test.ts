import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startFakeSls, type FakeSls } from '../harness/fake-sls/index.ts';
import { waitUntil } from '../core/wait.ts';
import { loadScalerService } from './keda-scaler.ts';
import { spawnMain } from './testing.ts';

/** The scaler's image entry (keda-main.ts) as its own process, as its pod runs it. */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function configFile(sls: FakeSls, grpcSection: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ebf-keda-main-')), 'scaler.yaml');
  writeFileSync(file, `sls:\n  endpoint: ${sls.endpoint}\n  credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}\nlisten: {host: 127.0.0.1, port: 0}\n${grpcSection}\nmetrics:\n  - {name: active_devices, project: chat-prod, logstore: device-heartbeat, query: "* | select approx_distinct(device_id) as active_devices", valueColumn: active_devices, interval: 100ms, maxStaleness: 5s}\n`);
  return file;
}

async function fakeSls(): Promise<FakeSls> {
  const s = await startFakeSls({ curve: () => 42 });
  cleanups.push(() => s.stop());
  return s;
}

describe('keda-scaler main (the image entry) as a process', () => {
  it('serves KEDA over gRPC with the value SLS gave and exits 0 on SIGTERM', async () => {
    const sls = await fakeSls();
    // A free port for gRPC: bind one and let it go (the scaler's log names only the HTTP port).
    const probe = new grpc.Server();
    const grpcPort = await new Promise<number>((r, j) => probe.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
    probe.forceShutdown();
    const p = spawnMain(configFile(sls, `grpc: {host: 127.0.0.1, port: ${grpcPort}}`), {}, './keda-main.ts');
    cleanups.push(() => p.stop());
    await p.port();
    const Ctor = grpc.makeGenericClientConstructor(loadScalerService(), 'ExternalScaler');
    const c = new Ctor(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure()) as unknown as Record<string, (req: object, cb: (e: grpc.ServiceError | null, r: unknown) => void) => void> & grpc.Client;
    cleanups.push(() => c.close());
    const ref = { name: 'chat', namespace: 'prod', scalerMetadata: { targetValue: '10' } };
    const value = await waitUntil('a value over gRPC', 10_000, () => new Promise<unknown>((resolve) => c.GetMetrics!({ scaledObjectRef: ref, metricName: 's0-active_devices' }, (e, r) => resolve(e ? undefined : r))), undefined, 50);
    expect(value).toEqual({ metricValues: [{ metricName: 'active_devices', metricValue: 42, metricValueFloat: 42 }] });
    await p.stop();
    expect((await p.exited).code).toBe(0);
  });

  it('exits 2 with the field named when a TLS file is missing, never querying SLS', async () => {
    const sls = await fakeSls();
    const p = spawnMain(configFile(sls, 'grpc: {host: 127.0.0.1, port: 0, tls: {certFile: /nonexistent/tls.crt, keyFile: /nonexistent/tls.key}}'), {}, './keda-main.ts');
    cleanups.push(() => p.stop());
    const { code, stderr } = await p.exited;
    expect(code).toBe(2);
    expect(stderr).toMatch(/error: grpc\.tls\.certFile: cannot read \/nonexistent\/tls\.crt \(ENOENT\)/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(sls.stats().queries).toBe(0);
  });
});
