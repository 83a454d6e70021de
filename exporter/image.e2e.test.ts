import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { startFakeSls, type FakeSls } from '../harness/fake-sls/index.ts';
import { waitUntil } from '../core/wait.ts';
import { freePort } from '../core/ports.ts';
import { ensureDocker, ensureNodeBaseImages, exporterImageBuild } from '../cluster/kind/images.ts';

/** testcontainers has no read-only-root option; Docker's HostConfig has. */
class ReadOnlyRootContainer extends GenericContainer {
  withReadOnlyRootFilesystem(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this;
  }
}

const IMAGE = 'ebbflow/sls-exporter:e2e';
let sls: FakeSls;
let container: StartedTestContainer;
let port: number;

// The image as production runs it: built from exporter/Dockerfile, non-root, read-only root
// filesystem, config mounted read-only. Host networking lets the exporter reach the fake SLS as
// `<project>.localhost` exactly as the SDK addresses a real endpoint.
beforeAll(async () => {
  // Ryuk (testcontainers' reaper) is an image from a registry; afterAll removes what this starts.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  await ensureDocker();
  const b = exporterImageBuild(await ensureNodeBaseImages());
  await GenericContainer.fromDockerfile(b.context, b.dockerfile).withBuildArgs(b.buildArgs).build(IMAGE, { deleteOnExit: false });
  sls = await startFakeSls({ curve: () => 5 });
  port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ebf-image-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `sls:\n  endpoint: ${sls.endpoint}\nlisten: {host: 127.0.0.1, port: ${port}}\nmetrics:\n  - {name: active_devices, project: chat-prod, logstore: device-heartbeat, query: "* | select approx_distinct(device_id) as active_devices", valueColumn: active_devices, interval: 200ms, maxStaleness: 10s}\n`);
  container = await new ReadOnlyRootContainer(IMAGE)
    .withReadOnlyRootFilesystem()
    .withNetworkMode('host')
    .withBindMounts([{ source: config, target: '/etc/sls-exporter/config.yaml', mode: 'ro' }])
    .withEnvironment({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'ebbflow-test-ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ebbflow-test-secret' })
    .withWaitStrategy(Wait.forLogMessage(/sls exporter serving/))
    .start();
});

afterAll(async () => {
  await container?.stop({ remove: true });
  await sls?.stop();
});

describe('the exporter image (exporter/Dockerfile) against the fake SLS', () => {
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
