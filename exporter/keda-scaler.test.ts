import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startFakeSls, type Fault, type FakeSls } from '../harness/fake-sls/index.ts';
import { isUserError } from '../core/errors.ts';
import { loadScalerService, parseKedaScalerConfig, startKedaScaler, type KedaScalerOptions, type RunningKedaScaler } from './index.ts';
import { ManualClock, PollLog } from './testing.ts';
import type { PollEvent } from './poller.ts';

/**
 * The scaler as KEDA sees it: a real gRPC client (the generic client of the same proto) against the
 * scaler, which queries the fake SLS through the real SDK. Time moves only when the test advances
 * the clock; every wait is on a poll cycle's acknowledgement.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function yaml(sls: FakeSls, extra = ''): string {
  return `sls:
  endpoint: ${sls.endpoint}
  credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}
listen: {renderCache: 0}
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
`;
}

async function fakeSls(curve: number): Promise<FakeSls> {
  const s = await startFakeSls({ curve: () => curve });
  cleanups.push(() => s.stop());
  return s;
}

async function start(text: string, opts: KedaScalerOptions = {}): Promise<RunningKedaScaler & { polls: PollLog }> {
  const polls = new PollLog();
  const s = await startKedaScaler(parseKedaScalerConfig(text, 'scaler.yaml', {}), { host: '127.0.0.1', port: 0, grpcHost: '127.0.0.1', grpcPort: 0, processMetrics: false, onPoll: polls.push, env: {}, ...opts });
  cleanups.push(() => s.stop());
  return Object.assign(s, { polls });
}

type Client = grpc.Client & Record<string, (req: object, cb: (e: grpc.ServiceError | null, r: unknown) => void) => void> & { StreamIsActive(req: object): grpc.ClientReadableStream<{ result: boolean }> };
function client(address: string, creds = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}): Client {
  const Ctor = grpc.makeGenericClientConstructor(loadScalerService(), 'ExternalScaler');
  const c = new Ctor(address, creds, options) as unknown as Client;
  cleanups.push(() => c.close());
  return c;
}
function call<T>(c: Client, method: string, req: object): Promise<T> {
  return new Promise((resolve, reject) => c[method]!(req, (e, r) => (e ? reject(e) : resolve(r as T))));
}
const ref = (md: Record<string, string> = { metric: 'active_devices', targetValue: '1000' }) => ({ name: 'chat', namespace: 'prod', scalerMetadata: md });
const ok = (e: { outcome: string }) => e.outcome === 'success';
const failed = (e: { outcome: string }) => e.outcome === 'error';
/**
 * Advances the clock until a poll cycle that matches ends. Steps of 110 ms (past one interval and
 * its jitter) every few wall milliseconds: a tick that fires while a cycle is still in flight is
 * skipped by the poller's single flight, so one step is not always one cycle.
 */
async function step(s: { polls: PollLog }, clock: ManualClock, what: string, match: (e: PollEvent) => boolean, ms: number, nudge = true): Promise<PollEvent> {
  const next = s.polls.next(what, match);
  let done = false;
  void next.finally(() => (done = true)).catch(() => {});
  await new Promise((r) => setImmediate(r));
  clock.advance(ms);
  const t = setInterval(() => nudge && !done && clock.advance(110), 25);
  try {
    return await next;
  } finally {
    clearInterval(t);
  }
}
type Metrics = { metricValues: { metricName: string; metricValue: number; metricValueFloat: number }[] };

describe('keda-scaler: KEDA external scaler over the fake SLS', () => {
  it('answers GetMetricSpec, GetMetrics and IsActive with the value SLS gave', async () => {
    const sls = await fakeSls(2737);
    const clock = new ManualClock();
    const s = await start(yaml(sls), { clock });
    const c = client(s.address);
    // The spec needs no value: KEDA asks for it first, when it builds the HPA.
    expect(await call(c, 'GetMetricSpec', ref())).toEqual({ metricSpecs: [{ metricName: 'active_devices', targetSize: 1000, targetSizeFloat: 1000 }] });
    // Before SLS answered: an error, never a value.
    await expect(call(c, 'GetMetrics', { scaledObjectRef: ref(), metricName: 's0-active_devices' })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await expect(call(c, 'IsActive', ref())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await step(s, clock, 'first success', ok, 100);
    const m = await call<Metrics>(c, 'GetMetrics', { scaledObjectRef: ref(), metricName: 's0-active_devices' });
    expect(m.metricValues).toEqual([{ metricName: 'active_devices', metricValue: 2737, metricValueFloat: 2737 }]);
    expect(await call(c, 'IsActive', ref())).toEqual({ result: true });
    expect(await call(c, 'IsActive', ref({ metric: 'active_devices', targetValue: '1000', activationValue: '2737' }))).toEqual({ result: false });
    // The self-metrics count the calls by status.
    const text = await (await fetch(`${s.exporter.url}/metrics`)).text();
    expect(text).toContain('sls_exporter_grpc_requests_total{method="GetMetrics",code="UNAVAILABLE"} 1');
    expect(text).toContain('sls_exporter_grpc_requests_total{method="GetMetrics",code="OK"} 1');
    expect(text).toContain('sls_exporter_up{metric="active_devices"} 1');
  });

  it('is not active at zero devices, and 0 is then a true value', async () => {
    const sls = await fakeSls(0);
    const clock = new ManualClock();
    const s = await start(yaml(sls), { clock });
    await step(s, clock, 'first success', ok, 100);
    const c = client(s.address);
    expect(await call(c, 'IsActive', ref())).toEqual({ result: false });
    expect((await call<Metrics>(c, 'GetMetrics', { scaledObjectRef: ref(), metricName: 'active_devices' })).metricValues[0]).toMatchObject({ metricValue: 0, metricValueFloat: 0 });
  });

  const faults: [string, Fault][] = [
    ['401 (AccessKey refused)', { kind: 'error', code: 'InvalidAccessKeyId', times: 1000 }],
    ['ServerBusy', { kind: 'error', code: 'ServerBusy', times: 1000 }],
    ['a partial answer', { kind: 'incomplete', times: 1000 }],
    ['an HTML 502', { kind: 'html502', times: 1000 }],
    ['a reset connection', { kind: 'reset', times: 1000 }],
    ['malformed JSON', { kind: 'malformedJson', times: 1000 }],
    ['a non-numeric value', { kind: 'wrongType', value: 'NaN', times: 1000 }],
    ['no rows', { kind: 'emptyResult', times: 1000 }],
    ['a timeout', { kind: 'latency', ms: 2000, times: 1000 }],
  ];
  it.each(faults)('under %s: an error once the last good value is stale, never a value; recovers', async (_name, fault) => {
    const sls = await fakeSls(2737);
    const clock = new ManualClock();
    const s = await start(yaml(sls), { clock });
    const c = client(s.address);
    await step(s, clock, 'first success', ok, 100);
    sls.faults.inject(fault);
    await step(s, clock, 'a failed cycle', failed, 110, false);
    // Within maxStaleness the last good answer still stands (as /metrics publishes it).
    expect((await call<Metrics>(c, 'GetMetrics', { scaledObjectRef: ref(), metricName: 'active_devices' })).metricValues[0]!.metricValue).toBe(2737);
    clock.advance(1000);
    const getMetrics = call(c, 'GetMetrics', { scaledObjectRef: ref(), metricName: 'active_devices' });
    await expect(getMetrics).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await expect(getMetrics).rejects.toThrow(/no fresh value.*last error/);
    await expect(call(c, 'IsActive', ref())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    sls.faults.clear();
    await step(s, clock, 'a success after the fault', ok, 110);
    expect(await call(c, 'IsActive', ref())).toEqual({ result: true });
  });

  it('answers an error, not a value, when SLS is down', async () => {
    const sls = await fakeSls(2737);
    const clock = new ManualClock();
    const s = await start(yaml(sls), { clock });
    await sls.stop();
    const next = s.polls.next('a failed cycle', failed);
    clock.advance(100);
    expect((await next).code).toBe('NetworkError');
    const c = client(s.address);
    await expect(call(c, 'GetMetrics', { scaledObjectRef: ref(), metricName: 'active_devices' })).rejects.toThrow(/NetworkError/);
  });

  it('refuses trigger metadata it cannot serve with INVALID_ARGUMENT or NOT_FOUND', async () => {
    const sls = await fakeSls(1);
    const s = await start(yaml(sls), { clock: new ManualClock() });
    const c = client(s.address);
    await expect(call(c, 'GetMetricSpec', ref({ metric: 'active_devices' }))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining('targetValue: missing') });
    await expect(call(c, 'GetMetricSpec', ref({ metric: 'active_devices', targetValue: '-3' }))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(call(c, 'GetMetricSpec', ref({ metric: 'sessions', targetValue: '10' }))).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: expect.stringContaining('serves active_devices') });
    // One configured metric: the trigger may leave `metric` out.
    expect(await call(c, 'GetMetricSpec', ref({ targetValue: '12.5' }))).toEqual({ metricSpecs: [{ metricName: 'active_devices', targetSize: 13, targetSizeFloat: 12.5 }] });
  });

  it('StreamIsActive pushes activity when it changes and ends with UNAVAILABLE when the value goes stale', async () => {
    let devices = 0;
    const sls = await startFakeSls({ curve: () => devices });
    cleanups.push(() => sls.stop());
    const clock = new ManualClock();
    const s = await start(yaml(sls), { clock });
    const stream = client(s.address).StreamIsActive(ref());
    const seen: boolean[] = [];
    const got = (n: number) => new Promise<void>((r) => { const t = setInterval(() => seen.length >= n && (clearInterval(t), r()), 5); });
    stream.on('data', (d: { result: boolean }) => seen.push(d.result));
    const ended = new Promise<grpc.ServiceError>((r) => stream.on('error', r));
    await step(s, clock, 'first', ok, 100);
    await got(1);
    await step(s, clock, 'second', ok, 110);
    devices = 40;
    await step(s, clock, 'third', ok, 110);
    await got(2);
    expect(seen).toEqual([false, true]);
    sls.faults.inject({ kind: 'error', code: 'ServerBusy', times: 1000 });
    for (let i = 0; i < 12; i++) {
      await step(s, clock, `failure ${i}`, failed, 110);
    }
    expect((await ended).code).toBe(grpc.status.UNAVAILABLE);
    expect(seen).toEqual([false, true]);
  });

  it('serves TLS with a client certificate (mTLS) and refuses a client without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keda-scaler-tls-'));
    const ossl = (...a: string[]) => execFileSync('openssl', a, { stdio: 'ignore' });
    ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '2', '-subj', '/CN=test-ca');
    for (const [n, cn] of [['server', 'localhost'], ['client', 'keda']] as const) {
      ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, `${n}.key`), '-out', join(dir, `${n}.csr`), '-subj', `/CN=${cn}`);
      const ext = join(dir, `${n}.ext`);
      execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ${ext}`]);
      ossl('x509', '-req', '-in', join(dir, `${n}.csr`), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', join(dir, `${n}.crt`), '-days', '2', '-extfile', ext);
    }
    const sls = await fakeSls(5);
    const clock = new ManualClock();
    const s = await start(yaml(sls, `grpc: {tls: {certFile: ${dir}/server.crt, keyFile: ${dir}/server.key, clientCaFile: ${dir}/ca.crt}}`), { clock });
    await step(s, clock, 'first', ok, 100);
    const ca = readFileSync(join(dir, 'ca.crt'));
    const mtls = client(s.address, grpc.credentials.createSsl(ca, readFileSync(join(dir, 'client.key')), readFileSync(join(dir, 'client.crt'))));
    expect(await call(mtls, 'IsActive', ref())).toEqual({ result: true });
    const anonymous = client(s.address, grpc.credentials.createSsl(ca), { 'grpc.max_reconnect_backoff_ms': 100 });
    await expect(call(anonymous, 'IsActive', ref())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    const plain = client(s.address);
    await expect(call(plain, 'IsActive', ref())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('a missing TLS file or a taken gRPC port is a UserError before any query', async () => {
    const sls = await fakeSls(5);
    const bad = start(yaml(sls, 'grpc: {tls: {certFile: /nonexistent/tls.crt, keyFile: /nonexistent/tls.key}}'));
    await expect(bad).rejects.toSatisfy(isUserError);
    await expect(bad).rejects.toThrow(/grpc\.tls\.certFile/);
    const first = await start(yaml(sls), { clock: new ManualClock() });
    const second = start(yaml(sls), { clock: new ManualClock(), grpcPort: first.grpcPort });
    await expect(second).rejects.toThrow(/cannot listen for gRPC/);
    expect(sls.stats().queries).toBe(0);
  });
});
