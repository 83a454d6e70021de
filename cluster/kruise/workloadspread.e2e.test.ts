import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { waitUntil } from '../../core/wait.ts';
import { startCluster, type LocalCluster } from '../local/index.ts';
import { rawApi } from '../local/raw-api.ts';
import { lineProgress } from '../toolchain/index.ts';
import { startKruiseManager, type RunningKruise } from './index.ts';

/**
 * The real WorkloadSpread (OpenKruise's manager: its pod webhook and controller, built on first
 * use) on a local cluster, over a plain Deployment scaled through its scale subresource as the HPA
 * does it. Subset `ecs` selects the node pool's label with maxReplicas 2, subset `eci` the
 * virtual-kubelet node with its toleration; the WorkloadSpread is v1alpha1 (stored as v1beta1
 * through the manager's conversion webhook).
 */
const NS = 'ws';
const MATCHED = 'apps.kruise.io/matched-workloadspread';
let c: LocalCluster;
let kruise: RunningKruise | undefined;
let core: CoreV1Api;
/** When each pod was first seen going away, and its subset. */
const removed = new Map<string, { at: number; subset: string | undefined }>();

const subsetOf = (p: V1Pod) => {
  const raw = p.metadata?.annotations?.[MATCHED];
  return raw ? (JSON.parse(raw) as { subset: string }).subset : undefined;
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: NS },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:alpine', resources: { requests: { cpu: '250m', memory: '256Mi' } } }] } },
  },
};

const workloadSpread = {
  apiVersion: 'apps.kruise.io/v1alpha1',
  kind: 'WorkloadSpread',
  metadata: { name: 'web', namespace: NS },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    subsets: [
      { name: 'ecs', requiredNodeSelectorTerm: { matchExpressions: [{ key: 'alibabacloud.com/nodepool-id', operator: 'In', values: ['np-ecs'] }] }, maxReplicas: 2 },
      {
        name: 'eci',
        requiredNodeSelectorTerm: { matchExpressions: [{ key: 'type', operator: 'In', values: ['virtual-kubelet'] }] },
        tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoSchedule' }],
        patch: { metadata: { labels: { resource: 'eci' } } },
      },
    ],
  },
};

const progress = lineProgress();

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000) => waitUntil(what, ms, fn, () => kruise?.logTail(20) ?? '', 100);

/** Sets the Deployment's replicas through its scale subresource (the HPA's way). */
async function scale(replicas: number): Promise<void> {
  const r = await rawApi(c.kubeConfig, 'PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, { spec: { replicas } }, 'application/merge-patch+json');
  expect(r.status, JSON.stringify(r.json)).toBeLessThan(300);
}

/** Waits until exactly `ecs` and `eci` live pods carry those subsets and every one is bound, then returns them. */
async function converged(ecs: number, eci: number): Promise<V1Pod[]> {
  return until(`subsets ecs ${ecs} + eci ${eci}`, async () => {
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    const on = (s: string) => pods.filter((p) => subsetOf(p) === s).length;
    return pods.length === ecs + eci && on('ecs') === ecs && on('eci') === eci && pods.every((p) => p.spec?.nodeName) ? pods : undefined;
  });
}

describe('OpenKruise\'s WorkloadSpread on a Deployment on the local cluster', () => {
  beforeAll(async () => {
    c = await startCluster({ name: 'e2e-kruise-ws', compression: 10, nodePools: { ecs: [{ name: 'ecs', count: 2, labels: { 'alibabacloud.com/nodepool-id': 'np-ecs' } }] } });
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    const pods = makeInformer<V1Pod>(c.kubeConfig, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS }));
    const mark = (p: V1Pod) => {
      const n = p.metadata!.name!;
      if (!removed.has(n)) removed.set(n, { at: Date.now(), subset: subsetOf(p) });
    };
    pods.on('update', (p) => p.metadata?.deletionTimestamp && mark(p));
    pods.on('delete', mark);
    await pods.start();
    kruise = await startKruiseManager({ cluster: c.name, dir: mkdtempSync(join(tmpdir(), 'ebf-kruise-')), kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, resources: ['workloadspreads', 'pods'], podSelector: { app: 'web' }, progress });
    await core.createNamespace({ body: { metadata: { name: NS } } });
    // The WorkloadSpread first: the webhook places only pods created after it.
    await c.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1alpha1', plural: 'workloadspreads', namespace: NS, body: workloadSpread });
    await c.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: NS, body: deployment });
  }, 1_800_000);
  afterAll(async () => {
    await kruise?.stop();
    await c?.stop();
  });

  it('keeps the v1alpha1 subsets through the conversion to the stored version, and places the first pod on ECS', async () => {
    const ws = (await c.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1beta1', plural: 'workloadspreads', namespace: NS, name: 'web' })) as { spec: { subsets: { requiredNodeSelector?: unknown }[] } };
    expect(ws.spec.subsets.map((s) => s.requiredNodeSelector !== undefined)).toEqual([true, true]);
    const [pod] = await converged(1, 0);
    expect(pod!.spec!.nodeName).not.toBe(c.virtualNode);
  });

  it('scales ECS first up to its max, then the webhook places the rest only on the virtual node (with the subset\'s patch)', async () => {
    await scale(2);
    await converged(2, 0);
    await scale(5);
    const pods = await converged(2, 3);
    for (const p of pods) {
      const onVirtual = p.spec!.nodeName === c.virtualNode;
      expect(onVirtual, `${p.metadata!.name} (${subsetOf(p)}) on ${p.spec!.nodeName}`).toBe(subsetOf(p) === 'eci');
      if (onVirtual) expect(p.metadata!.labels!.resource).toBe('eci');
    }
  });

  it('sets the deletion cost so scale-in drains ECI before an ECS pod goes', async () => {
    await until('deletion cost on every pod', async () => {
      const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items;
      const cost = (p: V1Pod) => p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
      return pods.every((p) => cost(p) === (subsetOf(p) === 'ecs' ? '200' : '100')) || undefined;
    });
    const since = Date.now();
    await scale(2);
    await converged(2, 0);
    await scale(1);
    await converged(1, 0);
    const gone = await until('the removals seen by the pod watch', async () => {
      const g = [...removed.values()].filter((r) => r.at >= since);
      return g.filter((r) => r.subset === 'ecs').length >= 1 ? g : undefined;
    });
    const lastEci = Math.max(...gone.filter((r) => r.subset === 'eci').map((r) => r.at));
    const firstEcs = Math.min(...gone.filter((r) => r.subset === 'ecs').map((r) => r.at));
    expect(gone.filter((r) => r.subset === 'eci')).toHaveLength(3);
    expect(gone.filter((r) => r.subset === 'ecs')).toHaveLength(1);
    expect(firstEcs).toBeGreaterThanOrEqual(lastEci);
  });

  it('Adaptive: pods Pending in a subset past rescheduleCriticalSeconds are deleted and recreated in the next subset', async () => {
    const ns = 'ws-adaptive';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const adaptive = structuredClone(workloadSpread);
    adaptive.metadata.namespace = ns;
    // A first subset no node fits: its pods stay Pending (the ECS pool full, as the controller sees it).
    adaptive.spec.subsets[0]!.requiredNodeSelectorTerm.matchExpressions[0]!.values = ['np-none'];
    Object.assign(adaptive.spec, { scheduleStrategy: { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 2 } } });
    await c.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1alpha1', plural: 'workloadspreads', namespace: ns, body: adaptive });
    await c.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: ns, body: { ...deployment, metadata: { name: 'web', namespace: ns }, spec: { ...deployment.spec, replicas: 2 } } });
    const pods = await until('both pods recreated on the virtual node', async () => {
      const ps = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
      return ps.length === 2 && ps.every((p) => subsetOf(p) === 'eci' && p.spec?.nodeName === c.virtualNode) ? ps : undefined;
    }, 120_000);
    expect(pods).toHaveLength(2);
    const ws = (await c.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1beta1', plural: 'workloadspreads', namespace: ns, name: 'web' })) as { status?: { subsetStatuses?: { name: string; conditions?: { type: string; status: string }[] }[] } };
    const ecs = ws.status?.subsetStatuses?.find((x) => x.name === 'ecs');
    expect(ecs?.conditions?.find((x) => x.type === 'Schedulable')?.status).toBe('False');
  });
});
