import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionregistrationV1Api, CoreV1Api, CustomObjectsApi, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { waitUntil } from '../../core/wait.ts';
import { sharedCluster, type SharedCluster } from '../local/testing.ts';
import { rawApi } from '../local/raw-api.ts';
import { ensureBinaries, lineProgress } from '../toolchain/index.ts';
import { installKruiseCrds, MUTATING_NAME, VALIDATING_NAME, startKruiseManager, type RunningKruise } from './index.ts';

/**
 * Workloads that own their pods themselves under the real OpenKruise manager, on the e2e project's
 * shared local cluster (its ECS nodes carry the `np-ecs` node-pool label), each scaled 1 → 5 → 1
 * through a scale subresource as the HPA does it: a UnitedDeployment whose subsets are CloneSets
 * (`cloneSetTemplate`), and a WorkloadSpread on a CloneSet and on a bare ReplicaSet. Subset `ecs`
 * (the node pool, maxReplicas 2) fills first, subset `eci` (the virtual-kubelet node) takes the
 * rest, and scaling in drains ECI before an ECS pod goes. The pods' owner is the CloneSet (or the
 * ReplicaSet) itself: what the recorder reads them by.
 */
const SUBSET_LABEL = 'apps.kruise.io/subset-name';
const MATCHED = 'apps.kruise.io/matched-workloadspread';
/** The label the pod webhooks are scoped to (the pods of the spread workloads). */
const SPREAD_POD_LABEL = { 'ebbflow.io/e2e': 'spread' };
let c: SharedCluster;
let kruise: RunningKruise | undefined;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const watches: { stop(): Promise<void> | void }[] = [];

const ecsTerm = { matchExpressions: [{ key: 'alibabacloud.com/nodepool-id', operator: 'In', values: ['np-ecs'] }] };
const eciTerm = { matchExpressions: [{ key: 'type', operator: 'In', values: ['virtual-kubelet'] }] };
const eciToleration = [{ key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoSchedule' }];
const podTemplate = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx:alpine', resources: { requests: { cpu: '250m', memory: '256Mi' } } }] },
});

const progress = lineProgress();

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000) => waitUntil(what, ms, fn, () => kruise?.logTail(20) ?? '', 100);

/** One workload under test: where it lives, how it is scaled, and how a pod names its subset. */
interface Case {
  ns: string;
  /** The scale subresource the HPA would set. */
  scalePath: string;
  subsetOf(p: V1Pod): string | undefined;
  /** The owner kind the pods carry (no ReplicaSet between for a CloneSet). */
  ownerKind: string;
  /** Scale-in follows the pods' deletion cost (a WorkloadSpread's), not a controller's allocation. */
  deletionCost: boolean;
}

/** When each pod of `ns` was first seen going away, and its subset. */
async function watchRemovals(k: Case): Promise<Map<string, { at: number; subset: string | undefined }>> {
  const removed = new Map<string, { at: number; subset: string | undefined }>();
  const pods = makeInformer<V1Pod>(c.kubeConfig, `/api/v1/namespaces/${k.ns}/pods`, () => core.listNamespacedPod({ namespace: k.ns }));
  const mark = (p: V1Pod) => {
    const n = p.metadata!.name!;
    if (!removed.has(n)) removed.set(n, { at: Date.now(), subset: k.subsetOf(p) });
  };
  pods.on('update', (p) => p.metadata?.deletionTimestamp && mark(p));
  pods.on('delete', mark);
  await pods.start();
  watches.push(pods);
  return removed;
}

async function scale(k: Case, replicas: number): Promise<void> {
  const r = await rawApi(c.kubeConfig, 'PATCH', k.scalePath, { spec: { replicas } }, 'application/merge-patch+json');
  expect(r.status, JSON.stringify(r.json)).toBeLessThan(300);
}

/** Waits until exactly `ecs` and `eci` live pods are in those subsets, every one bound, then returns them. */
function converged(k: Case, ecs: number, eci: number): Promise<V1Pod[]> {
  return until(`${k.ns}: subsets ecs ${ecs} + eci ${eci}`, async () => {
    const pods = (await core.listNamespacedPod({ namespace: k.ns })).items.filter((p) => !p.metadata?.deletionTimestamp);
    const on = (s: string) => pods.filter((p) => k.subsetOf(p) === s).length;
    return pods.length === ecs + eci && on('ecs') === ecs && on('eci') === eci && pods.every((p) => p.spec?.nodeName) ? pods : undefined;
  });
}

/** 1 → 5: ECS to its max 2, the rest only on the virtual node; 5 → 2 removes exactly the three ECI pods, 2 → 1 then the ECS one. */
async function scaleOutAndIn(k: Case, removed: Map<string, { at: number; subset: string | undefined }>): Promise<void> {
  const first = await converged(k, 1, 0);
  expect(first[0]!.spec!.nodeName).not.toBe(c.virtualNode);
  for (const p of first) expect(p.metadata?.ownerReferences?.map((o) => o.kind)).toEqual([k.ownerKind]);
  await scale(k, 2);
  await converged(k, 2, 0);
  await scale(k, 5);
  const pods = await converged(k, 2, 3);
  for (const p of pods) expect(p.spec!.nodeName === c.virtualNode, `${p.metadata!.name} (${k.subsetOf(p)}) on ${p.spec!.nodeName}`).toBe(k.subsetOf(p) === 'eci');
  if (k.deletionCost) await costsSet(k);
  const removedSince = (since: number, n: number) => until(`${k.ns}: ${n} removals seen by the pod watch`, async () => {
    const g = [...removed.values()].filter((r) => r.at >= since);
    return g.length >= n ? g : undefined;
  });
  const in1 = Date.now();
  await scale(k, 2);
  await converged(k, 2, 0);
  expect((await removedSince(in1, 3)).map((r) => r.subset)).toEqual(['eci', 'eci', 'eci']);
  const in2 = Date.now();
  await scale(k, 1);
  await converged(k, 1, 0);
  expect((await removedSince(in2, 1)).map((r) => r.subset)).toEqual(['ecs']);
}

/** A WorkloadSpread's scale-in follows the deletion cost its controller sets: wait until every pod has it (ECS 200, ECI 100). */
async function costsSet(k: Case): Promise<void> {
  await until(`${k.ns}: deletion cost on every pod`, async () => {
    const pods = (await core.listNamespacedPod({ namespace: k.ns })).items;
    const cost = (p: V1Pod) => p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
    return pods.every((p) => cost(p) === (k.subsetOf(p) === 'ecs' ? '200' : '100')) || undefined;
  });
}

const wsSubsetOf = (p: V1Pod) => {
  const raw = p.metadata?.annotations?.[MATCHED];
  return raw ? (JSON.parse(raw) as { subset: string }).subset : undefined;
};

/** A WorkloadSpread (v1alpha1, as ACK documents it) on `target` in `ns`. */
const workloadSpread = (ns: string, target: { apiVersion: string; kind: string }) => ({
  apiVersion: 'apps.kruise.io/v1alpha1',
  kind: 'WorkloadSpread',
  metadata: { name: 'web', namespace: ns },
  spec: {
    targetRef: { ...target, name: 'web' },
    subsets: [
      { name: 'ecs', requiredNodeSelectorTerm: ecsTerm, maxReplicas: 2 },
      { name: 'eci', requiredNodeSelectorTerm: eciTerm, tolerations: eciToleration },
    ],
  },
});

describe('OpenKruise\'s CloneSet (and a bare ReplicaSet) under a UnitedDeployment and a WorkloadSpread', () => {
  beforeAll(() => ensureBinaries(['kruise-manager'], progress), 1_800_000);
  beforeAll(async () => {
    c = await sharedCluster();
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
    kruise = await startKruiseManager({
      cluster: c.name, dir: mkdtempSync(join(tmpdir(), 'ebf-kruise-')), kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig,
      resources: ['uniteddeployments', 'clonesets', 'workloadspreads', 'pods'], podSelector: SPREAD_POD_LABEL, progress,
    });
  });
  afterAll(async () => {
    await Promise.allSettled(watches.map((w) => w.stop()));
    await kruise?.stop();
    if (c) {
      // The WorkloadSpread's CRD was converted by the manager just stopped (its caBundle written there):
      // a later manager that converts nothing must still install the CRDs (a later file, a kept cluster).
      await installKruiseCrds(c.kubeConfig);
      const crd = await rawApi(c.kubeConfig, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/workloadspreads.apps.kruise.io');
      expect((crd.json.spec as { conversion?: { strategy?: string } }).conversion?.strategy).toBe('None');
    }
    // Cluster-scoped and pointing at the manager just stopped: a later file's writes would wait on a server that is gone.
    if (c) {
      const adm = c.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
      await adm.deleteMutatingWebhookConfiguration({ name: MUTATING_NAME }).catch(() => {});
      await adm.deleteValidatingWebhookConfiguration({ name: VALIDATING_NAME }).catch(() => {});
    }
    await c?.release();
  });

  it('a UnitedDeployment with a cloneSetTemplate: one CloneSet per subset owning its pods, ECS first, ECI drained first', async () => {
    const ns = await c.namespace('ud-cloneset');
    const k: Case = { ns, scalePath: `/apis/apps.kruise.io/v1alpha1/namespaces/${ns}/uniteddeployments/web/scale`, subsetOf: (p) => p.metadata?.labels?.[SUBSET_LABEL], ownerKind: 'CloneSet', deletionCost: false };
    const removed = await watchRemovals(k);
    const labels = { app: 'web' };
    await custom.createNamespacedCustomObject({
      group: 'apps.kruise.io', version: 'v1alpha1', plural: 'uniteddeployments', namespace: ns,
      body: {
        apiVersion: 'apps.kruise.io/v1alpha1', kind: 'UnitedDeployment', metadata: { name: 'web', namespace: ns },
        spec: {
          replicas: 1, selector: { matchLabels: labels },
          template: { cloneSetTemplate: { metadata: { labels }, spec: { selector: { matchLabels: labels }, template: podTemplate(labels) } } },
          topology: { subsets: [{ name: 'ecs', nodeSelectorTerm: ecsTerm, maxReplicas: 2 }, { name: 'eci', nodeSelectorTerm: eciTerm, tolerations: eciToleration }] },
        },
      },
    });
    await scaleOutAndIn(k, removed);
    // Each subset's workload is a CloneSet named by the subset's prefix (what the recorder's view matches).
    const sets = (await custom.listNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1alpha1', plural: 'clonesets', namespace: ns })) as { items: { metadata: { name: string; labels: Record<string, string> }; spec: { replicas: number } }[] };
    expect(sets.items.map((s) => [s.metadata.labels[SUBSET_LABEL], s.metadata.name.startsWith(`web-${s.metadata.labels[SUBSET_LABEL]}-`), s.spec.replicas]).sort()).toEqual([['eci', true, 0], ['ecs', true, 1]]);
  });

  /** Creates the WorkloadSpread, then its target `web` (the webhook places only pods created after it). */
  async function spread(ns: string, target: { apiVersion: string; kind: string; plural: string }): Promise<void> {
    const labels = { app: 'web', ...SPREAD_POD_LABEL };
    const [group, version] = target.apiVersion.split('/') as [string, string];
    await custom.createNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1alpha1', plural: 'workloadspreads', namespace: ns, body: workloadSpread(ns, target) });
    await custom.createNamespacedCustomObject({
      group, version, plural: target.plural, namespace: ns,
      body: { apiVersion: target.apiVersion, kind: target.kind, metadata: { name: 'web', namespace: ns }, spec: { replicas: 1, selector: { matchLabels: labels }, template: podTemplate(labels) } },
    });
  }

  it('a WorkloadSpread on a CloneSet: its pods (owned by the CloneSet) placed ECS first, ECI drained first', async () => {
    const target = { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', plural: 'clonesets' };
    const ns = await c.namespace('ws-cloneset');
    const k: Case = { ns, scalePath: `/apis/${target.apiVersion}/namespaces/${ns}/${target.plural}/web/scale`, subsetOf: wsSubsetOf, ownerKind: target.kind, deletionCost: true };
    const removed = await watchRemovals(k);
    await spread(ns, target);
    await scaleOutAndIn(k, removed);
  });

  // Why a replay refuses a WorkloadSpread on a bare ReplicaSet: kruise reads a pod's version from its
  // pod-template-hash label (which only a Deployment's ReplicaSets set) and the workload's from the
  // ReplicaSet's, finds them different and gives the pods the old version's reversed cost.
  it('a WorkloadSpread on a bare ReplicaSet: placed ECS first, but the deletion cost comes reversed (ECS 100, ECI 200)', async () => {
    const target = { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets' };
    const ns = await c.namespace('ws-replicaset');
    const k: Case = { ns, scalePath: `/apis/${target.apiVersion}/namespaces/${ns}/${target.plural}/web/scale`, subsetOf: wsSubsetOf, ownerKind: target.kind, deletionCost: true };
    await spread(ns, target);
    await converged(k, 1, 0);
    await scale(k, 5);
    await converged(k, 2, 3);
    await until(`${ns}: deletion cost on every pod`, async () => {
      const pods = (await core.listNamespacedPod({ namespace: ns })).items;
      const cost = (p: V1Pod) => p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
      return pods.every((p) => cost(p) === (k.subsetOf(p) === 'ecs' ? '100' : '200')) || undefined;
    });
  });
});
