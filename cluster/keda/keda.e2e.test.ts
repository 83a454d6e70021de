import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { waitUntil } from '../../core/wait.ts';
import { isRecordedProcess, startCluster, type LocalCluster } from '../local/index.ts';
import { rawApi } from '../local/raw-api.ts';
import { lineProgress } from '../toolchain/index.ts';
import { EXTERNAL_METRICS_APISERVICE, startKeda, type RunningKeda } from './index.ts';

/**
 * The real KEDA (operator + metrics apiserver, built on first use) beside a local cluster: a
 * ScaledObject's `metrics-api` trigger reads a JSON value this test serves on loopback; KEDA
 * generates the HPA, kube-controller-manager's HPA reads the value through the aggregator and
 * KEDA's metrics apiserver, and the Deployment follows it up and back down.
 */
const NS = 'kedatest';
let c: LocalCluster;
let keda: RunningKeda | undefined;
let server: Server;
let value = 5;

const progress = lineProgress();

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000) => waitUntil(what, ms, fn, () => keda?.logTail(20) ?? '', 200);

async function replicas(): Promise<{ spec: number; ready: number }> {
  const d = await c.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: NS });
  return { spec: d.spec?.replicas ?? 0, ready: d.status?.readyReplicas ?? 0 };
}

describe('KEDA on the local cluster', () => {
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ devices: value }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    c = await startCluster({ name: 'e2e-keda', compression: 10 });
    // The first run builds KEDA (minutes, with progress on stderr); later runs find it cached.
    keda = await startKeda({ cluster: c.name, dir: mkdtempSync(join(tmpdir(), 'ebf-keda-')), kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, progress });
    const core = c.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    await c.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:alpine', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } },
        },
      },
    });
    const port = (server.address() as AddressInfo).port;
    await c.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects', namespace: NS,
      body: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { name: 'web' },
          minReplicaCount: 1,
          maxReplicaCount: 6,
          pollingInterval: 1,
          advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } },
          triggers: [{ type: 'metrics-api', metricType: 'AverageValue', metadata: { url: `http://127.0.0.1:${port}/`, valueLocation: 'devices', targetValue: '10' } }],
        },
      },
    });
  }, 3_600_000);
  afterAll(async () => {
    await keda?.stop();
    await c?.stop();
    server?.close();
  });

  it('serves the external metrics API through the aggregator and generates keda-hpa-<name> with one External metric', async () => {
    const hpa = await until('HPA keda-hpa-web', () => c.kubeConfig.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'keda-hpa-web', namespace: NS }).catch(() => undefined));
    expect(hpa.spec?.minReplicas).toBe(1);
    expect(hpa.spec?.maxReplicas).toBe(6);
    const m = hpa.spec?.metrics?.[0];
    expect(m?.type).toBe('External');
    expect(m?.external?.metric.selector?.matchLabels).toEqual({ 'scaledobject.keda.sh/name': 'web' });
    const name = m!.external!.metric.name;
    const served = await until('the external metric served', async () => {
      const r = await rawApi(c.kubeConfig, 'GET', `/apis/external.metrics.k8s.io/v1beta1/namespaces/${NS}/${name}?labelSelector=${encodeURIComponent('scaledobject.keda.sh/name=web')}`);
      return r.status === 200 ? r.json : undefined;
    });
    expect((served.items as { value: string }[])[0]?.value).toBe('5');
  });

  it('scales the Deployment 1 → 4 when the value rises to 35 (AverageValue 10) and back to 1 when it falls', async () => {
    await until('1 replica ready', async () => ((await replicas()).ready === 1 ? true : undefined));
    value = 35;
    await until('4 replicas', async () => ((await replicas()).spec === 4 ? true : undefined));
    value = 3;
    await until('back to 1 replica', async () => ((await replicas()).spec === 1 ? true : undefined));
  });

  it('stops both processes and removes its APIService', async () => {
    const k = keda!;
    keda = undefined;
    await k.stop();
    expect(k.processes.map((p) => p.label)).toEqual(['keda-operator', 'keda-metrics-apiserver']);
    for (const p of k.processes) expect(isRecordedProcess(p), p.label).toBe(false);
    const a = await rawApi(c.kubeConfig, 'GET', `/apis/apiregistration.k8s.io/v1/apiservices/${EXTERNAL_METRICS_APISERVICE}`);
    expect(a.status).toBe(404);
  });
});
