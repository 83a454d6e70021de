import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiregistrationV1Api } from '@kubernetes/client-node';
import { clusterStatus } from '../../cluster/local/index.ts';
import { sharedCluster, type SharedCluster } from '../../cluster/local/testing.ts';
import { isAlive } from '../../cluster/local/state.ts';
import { CUSTOM_METRICS_GROUP, startAdapter, type RunningAdapter } from './adapter.ts';
import { startPrometheus, type RunningPrometheus } from './prometheus.ts';
import { waitUntil } from './process.ts';

// The rules the original guide's adapter needed: active_devices for Service and Namespace objects.
const RULES = `rules:
- seriesQuery: 'active_devices{namespace!="",service!=""}'
  resources:
    overrides:
      namespace: {resource: "namespace"}
      service: {resource: "service"}
  name: {matches: "^active_devices$", as: "active_devices"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;

let c: SharedCluster;
let ns: string;
let prom: RunningPrometheus;
let adapter: RunningAdapter;
let metrics: Server;
let value = 2721;

describe('custom metrics through Prometheus and prometheus-adapter (aggregation layer)', () => {
  beforeAll(async () => {
    // The e2e project's shared cluster; the adapter's ExternalName Service and the metric's
    // Service label live in this file's namespace.
    c = await sharedCluster();
    ns = await c.namespace('aggregation');
    metrics = createServer((_, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`# HELP active_devices Active devices\n# TYPE active_devices gauge\nactive_devices ${value}\n`);
    });
    await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', () => r()));
    const port = (metrics.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'ebf-pipe-'));
    prom = await startPrometheus({
      cluster: c.name,
      dir,
      compression: 10,
      targets: [{ job: 'ali-exporter', address: `127.0.0.1:${port}`, intervalSeconds: 10, labels: { namespace: ns, service: 'nginx' } }],
    });
    adapter = await startAdapter({
      cluster: c.name,
      dir,
      kubeconfig: c.kubeconfig,
      kubeConfig: c.kubeConfig,
      prometheusUrl: prom.url,
      rulesYaml: RULES,
      relistSeconds: 60,
      compression: 10,
      namespace: ns,
    });
  });
  afterAll(async () => {
    // Both stops are harmless when the last test already stopped them.
    await adapter?.stop();
    await prom?.stop();
    // The APIServices are cluster-scoped: one whose adapter is gone fails discovery, and with it
    // every namespace deletion on the shared cluster (this file's own included).
    if (c) {
      const reg = c.kubeConfig.makeApiClient(ApiregistrationV1Api);
      for (const version of ['v1beta1', 'v1beta2']) await reg.deleteAPIService({ name: `${version}.${CUSTOM_METRICS_GROUP}` }).catch(() => {});
    }
    await c?.release();
    metrics?.close();
  });

  it('lists services/active_devices and namespaces/active_devices (guide verification step 1)', async () => {
    const list = await waitUntil('active_devices in discovery', 60_000, async () => {
      const out = JSON.parse(await c.kubectl(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta1'])) as { resources: { name: string; namespaced: boolean }[] };
      const names = out.resources.map((r) => r.name);
      return names.includes('services/active_devices') && names.includes('namespaces/active_devices') ? out : undefined;
    }, () => adapter.logTail());
    expect(list.resources.find((r) => r.name === 'services/active_devices')?.namespaced).toBe(true);
  });

  it('serves the scraped value for Service nginx and follows changes', async () => {
    const read = async () => {
      const raw = await c.kubectl(['get', '--raw', `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${ns}/services/nginx/active_devices`]);
      return JSON.parse(raw) as { items: { value: string; describedObject: { kind: string; name: string } }[] };
    };
    const first = await waitUntil('value 2721', 30_000, async () => ((await read()).items[0]?.value === '2721' ? await read() : undefined));
    expect(first.items[0]?.describedObject).toMatchObject({ kind: 'Service', name: 'nginx' });
    value = 6000;
    await waitUntil('value 6000', 30_000, async () => ((await read()).items[0]?.value === '6k' ? true : undefined));
  });

  it('registers the pipeline processes with the cluster so teardown stops them', async () => {
    const st = await clusterStatus(c.name);
    const byName = Object.fromEntries(st.components.map((x) => [x.name, x.state]));
    expect(byName.prometheus).toBe('running');
    expect(byName['prometheus-adapter']).toBe('running');
  });

  it('stops Prometheus and the adapter for real, and forgets their records', async () => {
    const pids = [prom.pid, adapter.pid];
    await adapter.stop();
    await prom.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    const st = await clusterStatus(c.name);
    expect(st.components.map((x) => x.name)).not.toContain('prometheus');
    expect(st.components.map((x) => x.name)).not.toContain('prometheus-adapter');
    // A second stop is harmless (a Stack may stop a component after a partial start).
    await expect(prom.stop()).resolves.toBeUndefined();
  });
});
