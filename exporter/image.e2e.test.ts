import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import * as grpc from '@grpc/grpc-js';
import { parse, parseDocument } from 'yaml';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { startFakeSls, type FakeSls } from '../harness/fake-sls/index.ts';
import { waitUntil } from '../core/wait.ts';
import { freePort } from '../core/ports.ts';
import { ensureDocker, ensureNodeBaseImages, exporterImageBuild } from '../cluster/kind/images.ts';
import { loadScalerService } from './keda-scaler.ts';

/** testcontainers has no read-only-root option; Docker's HostConfig has, and the pod's securityContext drops every capability. */
class ReadOnlyRootContainer extends GenericContainer {
  withReadOnlyRootFilesystem(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this;
  }
  withoutCapabilities(): this {
    this.hostConfig.CapDrop = ['ALL'];
    return this;
  }
}

const IMAGE = 'ebbflow/sls-exporter:e2e';
const KEDA = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifests', 'components', 'keda');
const CREDENTIALS = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ebbflow-test-ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ebbflow-test-secret' };

// One build for both entries of the image: the exporter's and the KEDA scaler's.
beforeAll(async () => {
  // Ryuk (testcontainers' reaper) is an image from a registry; each afterAll removes what it starts.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  await ensureDocker();
  const b = exporterImageBuild(await ensureNodeBaseImages());
  await GenericContainer.fromDockerfile(b.context, b.dockerfile).withBuildArgs(b.buildArgs).build(IMAGE, { deleteOnExit: false });
});

// The image as production runs it: built from exporter/Dockerfile, non-root, read-only root
// filesystem, config mounted read-only. Host networking lets the exporter reach the fake SLS as
// `<project>.localhost` exactly as the SDK addresses a real endpoint.
describe('the exporter image (exporter/Dockerfile) against the fake SLS', () => {
  let sls: FakeSls;
  let container: StartedTestContainer;
  let port: number;

  beforeAll(async () => {
    sls = await startFakeSls({ curve: () => 5 });
    port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'ebf-image-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `sls:\n  endpoint: ${sls.endpoint}\nlisten: {host: 127.0.0.1, port: ${port}}\nmetrics:\n  - {name: active_devices, project: chat-prod, logstore: device-heartbeat, query: "* | select approx_distinct(device_id) as active_devices", valueColumn: active_devices, interval: 200ms, maxStaleness: 10s}\n`);
    container = await new ReadOnlyRootContainer(IMAGE)
      .withReadOnlyRootFilesystem()
      .withNetworkMode('host')
      .withBindMounts([{ source: config, target: '/etc/sls-exporter/config.yaml', mode: 'ro' }])
      .withEnvironment(CREDENTIALS)
      .withWaitStrategy(Wait.forLogMessage(/sls exporter serving/))
      .start();
  });

  afterAll(async () => {
    await container?.stop({ remove: true });
    await sls?.stop();
  });

  it('becomes ready and serves the polled metric and its self-metrics', async () => {
    const ready = await waitUntil('/readyz 200', 30_000, async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined));
    expect(ready).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^active_devices 5$/m);
    expect(metrics).toMatch(/^sls_exporter_up\{metric="active_devices"\} 1$/m);
    expect(sls.stats().queries).toBeGreaterThan(0);
  });

  it('runs as the non-root user 65532', async () => {
    const r = await container.exec(['/nodejs/bin/node', '-e', 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)']);
    expect(r.exitCode).toBe(0);
    expect(r.output.trim()).toBe('65532:65532');
  });

  it('has a read-only root filesystem it still works on', async () => {
    const r = await container.exec(['/nodejs/bin/node', '-e', "try { require('fs').writeFileSync('/app/probe', 'x'); console.log('WROTE') } catch (e) { console.log(e.code) }"]);
    expect(r.output.trim()).toBe('EROFS');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});

interface PodContainer {
  name: string;
  command: string[];
  args: string[];
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
}
interface Trigger {
  type: string;
  metadata: Record<string, string>;
}
type Client = grpc.Client & Record<string, (req: object, cb: (e: grpc.ServiceError | null, r: unknown) => void) => void>;
type Metrics = { metricValues: { metricName: string; metricValue: number; metricValueFloat: number }[] };

/**
 * The scaler's Deployment (manifests/components/keda) run from the same image: its container's
 * command and args, its config file with only what a test must change, its config directory mounted
 * read-only where the pod mounts it, its user and securityContext. KEDA's side is a real gRPC client
 * of the same proto, called with the ScaledObject's own trigger metadata.
 */
describe('the KEDA scaler entry of the same image, as manifests/components/keda runs it', () => {
  const deployment = parse(readFileSync(join(KEDA, 'deployment.yaml'), 'utf8')) as { spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number }; containers: PodContainer[] } } } };
  const pod = deployment.spec.template.spec;
  const scaler = pod.containers.find((c) => c.name === 'scaler')!;
  const scaledObject = parse(readFileSync(join(KEDA, 'scaledobject.yaml'), 'utf8')) as { spec: { triggers: Trigger[] } };
  const trigger = scaledObject.spec.triggers.find((t) => t.type === 'external')!;
  // KEDA names the generated HPA's external metric s<trigger index>-<metric>.
  const kedaMetricName = `s${scaledObject.spec.triggers.indexOf(trigger)}-${trigger.metadata['metric']}`;
  const ref = { name: 'nginx', namespace: 'default', scalerMetadata: trigger.metadata };

  let sls: FakeSls;
  let container: StartedTestContainer;
  let grpcPort: number;
  let httpPort: number;
  let client: Client;
  let dir: string | undefined;

  const call = <T>(method: string, req: object): Promise<T> => new Promise((resolve, reject) => client[method]!(req, (e, r) => (e ? reject(e) : resolve(r as T))));
  const getMetrics = () => call<Metrics>('GetMetrics', { scaledObjectRef: ref, metricName: kedaMetricName });
  const admin = async (path: string, body: object) => {
    const r = await fetch(`${sls.url}/_admin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status, `${path}: ${await r.clone().text()}`).toBe(200);
  };
  /** Waits until the scaler answers `devices` (a new curve value reaches it within a poll interval). */
  const answers = (devices: number) =>
    waitUntil(`GetMetrics = ${devices}`, 20_000, async () => {
      const m = await getMetrics();
      return m.metricValues[0]?.metricValue === devices ? m : undefined;
    });

  beforeAll(async () => {
    sls = await startFakeSls({ curve: () => 2737 });
    [grpcPort, httpPort] = [await freePort(), await freePort()];
    // The shipped config, changed only where a test must: the fake's endpoint, loopback ports (host
    // networking shares the machine's), and seconds instead of minutes of staleness.
    const doc = parseDocument(readFileSync(join(KEDA, 'config.yaml'), 'utf8'));
    doc.setIn(['sls', 'endpoint'], sls.endpoint);
    doc.setIn(['listen'], { host: '127.0.0.1', port: httpPort });
    doc.setIn(['grpc'], { host: '127.0.0.1', port: grpcPort });
    for (const [k, v] of Object.entries({ interval: '200ms', timeout: '1s', maxStaleness: '2s', retries: 0 })) doc.setIn(['metrics', 0, k], v);
    const mount = scaler.volumeMounts.find((m) => m.name === 'config')!;
    expect(mount.readOnly).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'ebf-keda-image-'));
    writeFileSync(join(dir, 'config.yaml'), doc.toString(), { mode: 0o644 });
    // A ConfigMap volume is readable by the pod's user; mkdtemp's 0700 root directory is not (exit 2).
    chmodSync(dir, 0o755);

    let c = new ReadOnlyRootContainer(IMAGE)
      .withEntrypoint(scaler.command)
      .withCommand(scaler.args)
      .withUser(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`)
      .withNetworkMode('host')
      .withBindMounts([{ source: dir, target: mount.mountPath, mode: 'ro' }])
      .withEnvironment(CREDENTIALS)
      .withWaitStrategy(Wait.forLogMessage(/keda external scaler serving gRPC/));
    if (scaler.securityContext.readOnlyRootFilesystem) c = c.withReadOnlyRootFilesystem();
    if (scaler.securityContext.capabilities?.drop?.includes('ALL')) c = c.withoutCapabilities();
    if (scaler.securityContext.allowPrivilegeEscalation === false) c = c.withSecurityOpt('no-new-privileges');
    container = await c.start();
    const Ctor = grpc.makeGenericClientConstructor(loadScalerService(), 'ExternalScaler');
    client = new Ctor(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure()) as unknown as Client;
  });

  afterAll(async () => {
    client?.close();
    await container?.stop({ remove: true });
    await sls?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the manifest\'s command read-only, without capabilities, as 65532', async () => {
    // The manifest is what is proved: if it stopped asking for these, the test would run weaker.
    expect(scaler.command).toEqual(['/nodejs/bin/node', 'dist/exporter/keda-main.js']);
    expect(scaler.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const inspect = (await execa('docker', ['inspect', container.getId()])).stdout;
    const [info] = JSON.parse(inspect) as [{ Path: string; Args: string[]; Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] } }];
    expect([info.Path, ...info.Args]).toEqual([...scaler.command, ...scaler.args]);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    const r = await container.exec(['/nodejs/bin/node', '-e', 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)']);
    expect(r.output.trim()).toBe('65532:65532');
  });

  it('GetMetricSpec names the trigger\'s metric and target', async () => {
    const spec = await call('GetMetricSpec', ref);
    const target = Number(trigger.metadata['targetValue']);
    expect(spec).toEqual({ metricSpecs: [{ metricName: trigger.metadata['metric'], targetSize: target, targetSizeFloat: target }] });
  });

  it('GetMetrics answers the fake SLS\'s distinct devices; IsActive false at zero devices, true above', async () => {
    const m = await answers(2737);
    expect(m.metricValues).toEqual([{ metricName: trigger.metadata['metric'], metricValue: 2737, metricValueFloat: 2737 }]);
    expect(await call('IsActive', ref)).toEqual({ result: true });
    await admin('curve', { const: 0 });
    await answers(0);
    // activationValue "0" in the ScaledObject: zero devices is inactive, and 0 is a true value.
    expect(await call('IsActive', ref)).toEqual({ result: false });
    await admin('curve', { const: 1 });
    await answers(1);
    expect(await call('IsActive', ref)).toEqual({ result: true });
    const self = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(self).toMatch(/^sls_exporter_grpc_requests_total\{method="GetMetrics",code="OK"\} [1-9]/m);
    expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status).toBe(200);
  });

  it('with SLS failing, GetMetrics errors UNAVAILABLE once the last value is stale and never answers another value', async () => {
    await admin('curve', { const: 4200 });
    await answers(4200);
    // The curve moves while SLS fails: a value other than 4200 would be one the scaler made up.
    await admin('faults', { kind: 'error', code: 'ServerBusy', times: 1_000_000 });
    await admin('curve', { const: 9999 });
    const seen: number[] = [];
    const err = await waitUntil('GetMetrics UNAVAILABLE', 20_000, async () => {
      try {
        seen.push(...(await getMetrics()).metricValues.map((v) => v.metricValue));
        return undefined;
      } catch (e) {
        return e as grpc.ServiceError;
      }
    }, undefined, 100);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.details).toMatch(/no fresh value.*last error ServerBusy/);
    expect(seen.filter((v) => v !== 4200)).toEqual([]);
    // Stays an error over several poll intervals, for every method that needs a value.
    for (let i = 0; i < 10; i++) {
      await expect(getMetrics()).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      await expect(call('IsActive', ref)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sls.faults.injected()['error:ServerBusy'] ?? 0).toBeGreaterThan(0);
    // SLS back: the scaler answers again, the curve's current value.
    await admin('faults', { clear: true });
    await answers(9999);
  });

  it('wrote nothing outside its mounts: still running, docker diff only the mount point, no EROFS in its log', async () => {
    const state = JSON.parse((await execa('docker', ['inspect', '-f', '{{json .State}}', container.getId()])).stdout) as { Running: boolean; RestartCount: number };
    expect(state.Running).toBe(true);
    // Docker itself creates a mount point the image lacks (`A /etc/keda-sls-scaler`, hence `C /etc`)
    // before the root goes read-only; anything else in the diff was written by the process.
    const mountPath = scaler.volumeMounts.find((m) => m.name === 'config')!.mountPath;
    const diff = (await execa('docker', ['diff', container.getId()])).stdout.split('\n').filter(Boolean);
    const isMountPoint = (line: string) => {
      const path = line.slice(2);
      return path === mountPath ? line.startsWith('A ') : line.startsWith('C ') && mountPath.startsWith(`${path}/`);
    };
    expect(diff.filter((l) => !isMountPoint(l))).toEqual([]);
    const logs = (await execa('docker', ['logs', container.getId()], { all: true })).all ?? '';
    expect(logs).toMatch(/keda external scaler serving gRPC/);
    expect(logs).not.toMatch(/EROFS|read-only file system/i);
  });
});
