import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, makeInformer, PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod,
} from '@kubernetes/client-node';
import { sharedCluster, type SharedCluster } from '../local/testing.ts';
import { waitUntil } from '../../core/wait.ts';
import { installCrd, startController, type ReconcileResult, type RunningController, EW_GROUP, EW_PLURAL, EW_VERSION, LABEL_UNIT, type EwObject } from './index.ts';

// The e2e project's shared cluster (k = 10, 3 ECS nodes, ECI start 10 s + pull 2 s). Every test
// works in its own namespace with its own ElasticWorkload: what an earlier test left in the
// cluster is never reconciled, counted or waited on by a later one, and a failure stays in its test.
let c: SharedCluster;
let podWatch: ReturnType<typeof makeInformer<V1Pod>> | undefined;
let apps: AppsV1Api;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let ctl: RunningController | undefined;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Removal time (first deletionTimestamp or delete event) of every pod, by namespace/name, and whether it was a unit pod. */
const removed = new Map<string, { at: number; unit: boolean }>();

/** Every reconcile the controller acknowledged, and the tests waiting on one. */
const acks: { key: string; r: ReconcileResult }[] = [];
const ackWaiters = new Set<() => void>();
function onReconciled(key: string, r: ReconcileResult): void {
  acks.push({ key, r });
  for (const w of [...ackWaiters]) w();
}
/** Resolves with the first reconcile acknowledgement (from now on) that matches. */
function nextAck(ns: string, pred: (r: ReconcileResult) => boolean, name = 'nginx', ms = 30_000): Promise<ReconcileResult> {
  const from = acks.length;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ackWaiters.delete(check);
      reject(new Error(`no matching reconcile of ${ns}/${name} within ${ms} ms; last: ${JSON.stringify(acks.slice(-3).map((a) => ({ ...a.r, error: String(a.r.error ?? '') })))}`));
    }, ms);
    const check = () => {
      const hit = acks.slice(from).find((a) => a.key === `${ns}/${name}` && pred(a.r));
      if (!hit) return;
      clearTimeout(timer);
      ackWaiters.delete(check);
      resolve(hit.r);
    };
    ackWaiters.add(check);
  });
}
// All namespaces: each test's namespace is created after the controller started.
const startCtl = () => startController({ kubeConfig: c.kubeConfig, drainRecheckMs: 50, onReconciled });

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000) => waitUntil(what, ms, fn, undefined, 100);

const ready = (p: V1Pod) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

async function getEw(ns: string, name = 'nginx'): Promise<EwObject> {
  return (await custom.getNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: ns, name })) as EwObject;
}
/** Patches the EW and returns the generation the API server gave the new spec. */
async function patchEw(ns: string, body: object, name = 'nginx'): Promise<number> {
  const r = (await custom.patchNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: ns, name, body }, merge)) as EwObject;
  return r.metadata!.generation!;
}
async function replicasOf(ns: string, name: string): Promise<number | undefined> {
  try {
    return (await apps.readNamespacedDeployment({ name, namespace: ns })).spec?.replicas;
  } catch {
    return undefined;
  }
}
async function podsOf(ns: string, app: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
}
/** Waits until the source and unit Deployments hold these replicas and that many pods exist. */
async function converged(ns: string, app: string, source: number, unit: number): Promise<V1Pod[]> {
  return until(`${ns}/${app}: source ${source} + unit ${unit}`, async () => {
    const [s, u, pods] = await Promise.all([replicasOf(ns, app), replicasOf(ns, `${app}-unit-virtual-kubelet`), podsOf(ns, app)]);
    if (s !== source || (u ?? 0) !== unit || pods.length !== source + unit) return undefined;
    return pods;
  });
}

function deployment(name: string, replicas = 1): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', resources: { requests: { cpu: '250m', memory: '256Mi' } } }] } },
    },
  };
}
function ew(ns: string, name: string, replicas: number, extra: object = {}): object {
  return {
    apiVersion: `${EW_GROUP}/${EW_VERSION}`,
    kind: 'ElasticWorkload',
    metadata: { name, namespace: ns },
    spec: {
      sourceTarget: { name, kind: 'Deployment', apiVersion: 'apps/v1', min: 0, max: 2 },
      replicas,
      elasticUnit: [
        {
          name: 'virtual-kubelet',
          labels: { 'alibabacloud.com/eci': 'true', 'virtual-kubelet': 'true' },
          annotations: { 'virtual-kubelet.io/burst-to-ci': 'true' },
          nodeSelector: { type: 'virtual-kubelet' },
          tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }],
        },
      ],
      ...extra,
    },
  };
}

/** Source pods must not be removed while a unit pod of the same app still exists. */
function assertScaleDownOrder(ns: string, app: string, since: number): void {
  const mine = [...removed.entries()].filter(([n, r]) => n.startsWith(`${ns}/${app}-`) && r.at >= since);
  const lastUnit = Math.max(-Infinity, ...mine.filter(([, r]) => r.unit).map(([, r]) => r.at));
  const firstSource = Math.min(Infinity, ...mine.filter(([, r]) => !r.unit).map(([, r]) => r.at));
  expect(firstSource).toBeGreaterThanOrEqual(lastUnit);
}

/** A fresh namespace with the nginx Deployment and its ElasticWorkload at `replicas`, converged. */
async function given(ns: string, replicas: number, source: number, unit: number): Promise<void> {
  await c.namespace(ns);
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment('nginx') });
  await custom.createNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: ns, body: ew(ns, 'nginx', replicas) });
  await converged(ns, 'nginx', source, unit);
}

describe('ElasticWorkload controller on the real control plane', () => {
  beforeAll(async () => {
    c = await sharedCluster();
    // The latency bound asserted below is the shared cluster's ECI start + pull at its k.
    expect(c.config.compression).toBe(10);
    expect(c.config.nodePools.eci.startLatency).toMatchObject({ startSeconds: 10, imagePull: { min: 2 }, jitterSeconds: 0 });
    apps = c.kubeConfig.makeApiClient(AppsV1Api);
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
    await installCrd(c.kubeConfig);
    podWatch = makeInformer<V1Pod>(c.kubeConfig, '/api/v1/pods', () => core.listPodForAllNamespaces());
    const mark = (p: V1Pod) => {
      const n = `${p.metadata!.namespace}/${p.metadata!.name!}`;
      if (!removed.has(n)) removed.set(n, { at: Date.now(), unit: p.metadata?.labels?.[LABEL_UNIT] !== undefined });
    };
    podWatch.on('update', (p) => p.metadata?.deletionTimestamp && mark(p));
    podWatch.on('delete', mark);
    await podWatch.start();
    ctl = startCtl();
    await ctl.synced;
  });
  afterAll(async () => {
    await ctl?.stop();
    await podWatch?.stop();
    await c?.release();
  });

  it('splits 6 replicas: source fills its max 2 on ECS, overflow 4 on the virtual node, Ready only after ECI latency', async () => {
    const ns = await c.namespace('ew-split');
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('nginx') });
    const t0 = Date.now();
    await custom.createNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: ns, body: ew(ns, 'nginx', 6) });
    const pods = await converged(ns, 'nginx', 2, 4);
    const unitPods = pods.filter((p) => p.metadata?.name?.startsWith('nginx-unit-virtual-kubelet-'));
    expect(unitPods).toHaveLength(4);
    const allReady = await until('all 6 pods Ready', async () => {
      const ps = await podsOf(ns, 'nginx');
      return ps.length === 6 && ps.every(ready) ? ps : undefined;
    });
    const readyAfter = Date.now() - t0;
    for (const p of allReady) {
      const onVirtual = p.spec?.nodeName === c.virtualNode;
      expect(onVirtual, `${p.metadata?.name} on ${p.spec?.nodeName}`).toBe(p.metadata!.name!.startsWith('nginx-unit-'));
      if (onVirtual) expect(p.metadata?.labels?.['alibabacloud.com/eci']).toBe('true');
    }
    // ECI start 10 s + pull ≥ 2 s, compressed by 10 → at least 1.2 s wall.
    expect(readyAfter).toBeGreaterThanOrEqual(1200);

    const st = await until('status', async () => {
      const e = await getEw(ns);
      return e.status?.replicas === 6 ? e.status : undefined;
    });
    expect(st.selector).toBe('app=nginx');
    expect(st.sourceTarget).toMatchObject({ name: 'nginx', kind: 'Deployment', apiVersion: 'apps/v1', desiredReplicas: 2 });
    expect(st.elasticUnitsStatus).toEqual([expect.objectContaining({ name: 'nginx-unit-virtual-kubelet', desiredReplicas: 4 })]);
    const unit = await apps.readNamespacedDeployment({ name: 'nginx-unit-virtual-kubelet', namespace: ns });
    expect(unit.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ElasticWorkload', name: 'nginx', controller: true });
    expect(unit.spec?.template.spec?.nodeSelector).toEqual({ type: 'virtual-kubelet' });
    expect(unit.spec?.template.metadata?.annotations?.['virtual-kubelet.io/burst-to-ci']).toBe('true');
    const reasons = (await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.kind=ElasticWorkload' })).items.map((e) => e.reason);
    expect(reasons).toContain('UnitCreation');
    expect(reasons).toContain('ElasticWorkloadUpdate');
  });

  it('serves the scale subresource (what the HPA writes) and kubectl shows the printer columns', async () => {
    const ns = 'ew-scale';
    await given(ns, 6, 2, 4);
    await c.kubectl(['scale', 'ew/nginx', '--replicas=3', '-n', ns]);
    await converged(ns, 'nginx', 2, 1);
    const scale = JSON.parse(await c.kubectl(['get', '--raw', `/apis/${EW_GROUP}/${EW_VERSION}/namespaces/${ns}/${EW_PLURAL}/nginx/scale`])) as { spec: { replicas: number }; status: { replicas: number; selector: string } };
    expect(scale.spec.replicas).toBe(3);
    await until('scale status', async () => {
      const s = JSON.parse(await c.kubectl(['get', '--raw', `/apis/${EW_GROUP}/${EW_VERSION}/namespaces/${ns}/${EW_PLURAL}/nginx/scale`])) as typeof scale;
      return s.status.replicas === 3 && s.status.selector === 'app=nginx' ? true : undefined;
    });
    const table = await c.kubectl(['get', 'ew', 'nginx', '-n', ns]);
    expect(table).toMatch(/SOURCE\s+REPLICAS\s+CURRENT/);
  });

  it('scales in unit pods first: no source pod is removed while a unit pod exists', async () => {
    const ns = 'ew-scale-in';
    await given(ns, 6, 2, 4);
    const since = Date.now();
    await patchEw(ns, { spec: { replicas: 1 } });
    await converged(ns, 'nginx', 1, 0);
    assertScaleDownOrder(ns, 'nginx', since);
    expect([...removed.entries()].filter(([n, r]) => r.at >= since && !r.unit && n.startsWith(`${ns}/nginx-`))).toHaveLength(1);
  });

  it('propagates a source template change to the unit', async () => {
    const ns = 'ew-template';
    await given(ns, 4, 2, 2);
    await apps.patchNamespacedDeployment({ name: 'nginx', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } } } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    await until('unit image nginx:1.28', async () => {
      const u = await apps.readNamespacedDeployment({ name: 'nginx-unit-virtual-kubelet', namespace: ns });
      return u.spec?.template.spec?.containers[0]?.image === 'nginx:1.28' ? true : undefined;
    });
  });

  it('chaos: a unit Deployment deleted by hand is recreated', async () => {
    const ns = 'ew-unit-deleted';
    await given(ns, 4, 2, 2);
    await apps.deleteNamespacedDeployment({ name: 'nginx-unit-virtual-kubelet', namespace: ns });
    await until('unit recreated', async () => ((await replicasOf(ns, 'nginx-unit-virtual-kubelet')) === 2 ? true : undefined));
    await converged(ns, 'nginx', 2, 2);
  });

  it('chaos: concurrent spec updates converge on the spec the API server kept', async () => {
    const ns = 'ew-concurrent';
    await given(ns, 4, 2, 2);
    const values = [9, 3, 12, 5, 8, 7];
    // Concurrent writers: the API server may apply them in any order; the stored value is the truth.
    await Promise.all(values.map((r) => patchEw(ns, { spec: { replicas: r } })));
    const stored = (await getEw(ns)).spec!.replicas!;
    expect(values).toContain(stored);
    await converged(ns, 'nginx', 2, stored - 2);
    const st = await until(`status ${stored}`, async () => {
      const s = (await getEw(ns)).status;
      return s?.replicas === stored ? s : undefined;
    });
    expect(st.sourceTarget?.desiredReplicas).toBe(2);
    expect(st.elasticUnitsStatus?.[0]?.desiredReplicas).toBe(stored - 2);
  });

  it('chaos: controller restart mid-scale still converges with the order held', async () => {
    const ns = 'ew-restart';
    await given(ns, 10, 2, 8);
    const since = Date.now();
    const scaledIn = nextAck(ns, (r) => r.outcome === 'holding');
    const gen = await patchEw(ns, { spec: { replicas: 0 } });
    // Mid-scale: the units were told to drain and the source is held; stop right there.
    const held = await scaledIn;
    expect(held.generation).toBe(gen);
    await ctl!.stop();
    ctl = startCtl();
    await ctl.synced;
    await converged(ns, 'nginx', 0, 0);
    assertScaleDownOrder(ns, 'nginx', since);
  });

  it('chaos: an invalid spec gets a condition and an event, and nothing is half-applied', async () => {
    const ns = 'ew-invalid';
    await given(ns, 5, 2, 3);
    const invalidAck = nextAck(ns, (r) => r.outcome === 'invalid');
    const gen = await patchEw(ns, { spec: { replicas: 9, sourceTarget: { name: 'nginx', min: 4, max: 2 } } });
    const ack = await invalidAck;
    expect(ack.generation).toBe(gen);
    // The controller acknowledged the invalid spec having written its status only.
    expect(ack.writes.every((w) => w === 'status')).toBe(true);
    const cond = await until('Valid=False', async () => {
      const e = await getEw(ns);
      return e.status?.conditions?.find((x) => x.type === 'Valid' && x.status === 'False');
    });
    expect(cond.message).toContain('spec.sourceTarget: min 4 is above max 2');
    const warn = await until('InvalidSpec event', async () =>
      (await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.kind=ElasticWorkload,reason=InvalidSpec' })).items[0],
    );
    expect(warn.type).toBe('Warning');
    expect(await replicasOf(ns, 'nginx')).toBe(2);
    expect(await replicasOf(ns, 'nginx-unit-virtual-kubelet')).toBe(3);
    // Fixing the spec resumes reconciling.
    await patchEw(ns, { spec: { sourceTarget: { name: 'nginx', min: 0, max: 2 } } });
    await converged(ns, 'nginx', 2, 7);
    // The status is written after the Deployments it describes: wait for it rather than read it once.
    const valid = await until('Valid=True', async () => (await getEw(ns)).status?.conditions?.find((x) => x.type === 'Valid' && x.status === 'True'));
    expect(valid.status).toBe('True');
  });

  it('deleting the ElasticWorkload garbage-collects its unit Deployments', async () => {
    const ns = 'ew-gc';
    await given(ns, 3, 2, 1);
    await custom.deleteNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: ns, name: 'nginx' });
    await until('unit deleted', async () => ((await replicasOf(ns, 'nginx-unit-virtual-kubelet')) === undefined ? true : undefined));
    expect(await replicasOf(ns, 'nginx')).toBeDefined();
  });
});
