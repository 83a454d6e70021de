import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { waitUntil } from '../../core/wait.ts';
import { sharedCluster, type SharedCluster } from '../local/testing.ts';
import { rawApi } from '../local/raw-api.ts';
import { ensureBinaries, lineProgress } from '../toolchain/index.ts';
import { MUTATING_NAME, VALIDATING_NAME, startKruiseManager, type RunningKruise } from './index.ts';

/**
 * The real UnitedDeployment controller (OpenKruise's manager, built on first use) on the e2e
 * project's shared local cluster (its ECS nodes carry the `np-ecs` node-pool label), scaled through the UnitedDeployment's scale subresource as the HPA does it. ACK's
 * example: subset `ecs` selects the node pool's label with maxReplicas 2, subset `eci` the
 * virtual-kubelet node with its toleration.
 */
const NS = 'ud';
const SUBSET_LABEL = 'apps.kruise.io/subset-name';
let c: SharedCluster;
let podWatch: ReturnType<typeof makeInformer<V1Pod>> | undefined;
let kruise: RunningKruise | undefined;
let core: CoreV1Api;
let apps: AppsV1Api;
/** When each pod was first seen going away, and its subset. */
const removed = new Map<string, { at: number; subset: string | undefined }>();

const unitedDeployment = {
  apiVersion: 'apps.kruise.io/v1alpha1',
  kind: 'UnitedDeployment',
  metadata: { name: 'web', namespace: NS },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      deploymentTemplate: {
        metadata: { labels: { app: 'web' } },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:alpine', resources: { requests: { cpu: '250m', memory: '256Mi' } } }] } },
        },
      },
    },
    topology: {
      subsets: [
        { name: 'ecs', nodeSelectorTerm: { matchExpressions: [{ key: 'alibabacloud.com/nodepool-id', operator: 'In', values: ['np-ecs'] }] }, maxReplicas: 2 },
        {
          name: 'eci',
          nodeSelectorTerm: { matchExpressions: [{ key: 'type', operator: 'In', values: ['virtual-kubelet'] }] },
          tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoSchedule' }],
        },
      ],
    },
  },
};

/** The build's progress as lines on stderr (the first run compiles the manager: minutes). */
const progress = lineProgress();

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000) => waitUntil(what, ms, fn, () => kruise?.logTail(20) ?? '', 100);

/** Sets the UnitedDeployment's replicas through its scale subresource (the HPA's way). */
async function scale(replicas: number): Promise<void> {
  const r = await rawApi(c.kubeConfig, 'PATCH', `/apis/apps.kruise.io/v1alpha1/namespaces/${NS}/uniteddeployments/web/scale`, { spec: { replicas } }, 'application/merge-patch+json');
  expect(r.status, JSON.stringify(r.json)).toBeLessThan(300);
}

/** Waits until the subsets' Deployments want `ecs` and `eci` replicas and exactly those pods run, then returns the pods. */
async function converged(ecs: number, eci: number): Promise<V1Pod[]> {
  return until(`subsets ecs ${ecs} + eci ${eci}`, async () => {
    const deps = (await apps.listNamespacedDeployment({ namespace: NS })).items;
    const want = (s: string) => deps.filter((d) => d.metadata?.labels?.[SUBSET_LABEL] === s).reduce((a, d) => a + (d.spec?.replicas ?? 0), 0);
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    const on = (s: string) => pods.filter((p) => p.metadata?.labels?.[SUBSET_LABEL] === s).length;
    return want('ecs') === ecs && want('eci') === eci && on('ecs') === ecs && on('eci') === eci ? pods : undefined;
  });
}

describe('OpenKruise\'s UnitedDeployment controller on the local cluster', () => {
  // The first run builds the manager (minutes, with progress on stderr; `npm test` builds it in its
  // set-up): a compile bounded by its own size, not a wait for something to become ready.
  beforeAll(() => ensureBinaries(['kruise-manager'], progress), 1_800_000);
  beforeAll(async () => {
    c = await sharedCluster();
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    apps = c.kubeConfig.makeApiClient(AppsV1Api);
    const pods = (podWatch = makeInformer<V1Pod>(c.kubeConfig, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS })));
    const mark = (p: V1Pod) => {
      const n = p.metadata!.name!;
      if (!removed.has(n)) removed.set(n, { at: Date.now(), subset: p.metadata?.labels?.[SUBSET_LABEL] });
    };
    pods.on('update', (p) => p.metadata?.deletionTimestamp && mark(p));
    pods.on('delete', mark);
    await pods.start();
    kruise = await startKruiseManager({ cluster: c.name, dir: mkdtempSync(join(tmpdir(), 'ebf-kruise-')), kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, progress });
    await c.namespace(NS);
    await c.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1alpha1', plural: 'uniteddeployments', namespace: NS, body: unitedDeployment });
  });
  afterAll(async () => {
    await podWatch?.stop();
    await kruise?.stop();
    // Cluster-scoped and pointing at the manager just stopped: with them left, a later file's
    // UnitedDeployment write (or this namespace's deletion) would wait on a server that is gone.
    if (c) {
      const adm = c.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
      await adm.deleteMutatingWebhookConfiguration({ name: MUTATING_NAME }).catch(() => {});
      await adm.deleteValidatingWebhookConfiguration({ name: VALIDATING_NAME }).catch(() => {});
    }
    await c?.release();
  });

  it('defaults the UnitedDeployment through its webhook and serves its scale subresource', async () => {
    const ud = (await c.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1alpha1', plural: 'uniteddeployments', namespace: NS, name: 'web' })) as { spec: { revisionHistoryLimit?: number } };
    expect(ud.spec.revisionHistoryLimit).toBe(10);
    await converged(1, 0);
    const s = await rawApi(c.kubeConfig, 'GET', `/apis/apps.kruise.io/v1alpha1/namespaces/${NS}/uniteddeployments/web/scale`);
    expect((s.json.spec as { replicas: number }).replicas).toBe(1);
  });

  it('scales ECS first up to its max, then overflows only onto the virtual node', async () => {
    await scale(2);
    await converged(2, 0);
    await scale(5);
    const pods = await converged(2, 3);
    const placed = await until('every pod bound', async () => {
      const ps = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
      return ps.length === pods.length && ps.every((p) => p.spec?.nodeName) ? ps : undefined;
    });
    for (const p of placed) {
      const onVirtual = p.spec!.nodeName === c.virtualNode;
      expect(onVirtual, `${p.metadata!.name} (${p.metadata!.labels![SUBSET_LABEL]}) on ${p.spec!.nodeName}`).toBe(p.metadata!.labels![SUBSET_LABEL] === 'eci');
    }
  });

  it('scales in from the most expensive subset: ECI drains before an ECS pod goes', async () => {
    const since = Date.now();
    await scale(2);
    await converged(2, 0);
    await scale(1);
    await converged(1, 0);
    // The pod watch may see the last removal a moment after the list did.
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
});
