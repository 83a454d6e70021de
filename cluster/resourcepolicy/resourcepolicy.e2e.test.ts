import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, makeInformer, SchedulingV1Api, type V1Pod } from '@kubernetes/client-node';
import { waitUntil } from '../../core/wait.ts';
import { goEnv } from '../toolchain/gobuild.ts';
import { startCluster, type LocalCluster } from '../local/index.ts';
import { lineProgress } from '../toolchain/index.ts';
import { DELETION_COST, RP_GROUP, RP_PLURAL, RP_VERSION, startDeletionCostController, startResourcePolicyScheduler, type DeletionCostController, type RunningScheduler } from './index.ts';

/**
 * Our ResourcePolicy scheduler (kube-scheduler v1.36.1 with the plugin, built on first use) in place
 * of the local cluster's, and the deletion-cost controller, on ACK's documented shape: unit `ecs`
 * on the node pool's label with max 2, then unit `eci` (the virtual node, its pods labelled).
 * A plain Deployment scaled as the HPA does it.
 */
const NS = 'rp';
let c: LocalCluster;
let scheduler: RunningScheduler | undefined;
let costs: DeletionCostController | undefined;
let core: CoreV1Api;
let apps: AppsV1Api;
/** When each pod was first seen going away, and the node it was on. */
const removed = new Map<string, { at: number; node: string | undefined }>();

const policy = {
  apiVersion: `${RP_GROUP}/${RP_VERSION}`,
  kind: 'ResourcePolicy',
  metadata: { name: 'web', namespace: NS },
  spec: {
    selector: { app: 'web' },
    strategy: 'prefer',
    units: [
      { resource: 'ecs', nodeSelector: { 'alibabacloud.com/nodepool-id': 'np-ecs' }, max: 2 },
      { resource: 'eci', podLabels: { 'ebbflow.io/unit': 'eci' } },
    ],
  },
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: NS },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        // No toleration of the virtual node, as in ACK's ECS + ECI example: the eci unit's pods are tolerated by the scheduler.
        containers: [{ name: 'web', image: 'nginx:alpine', resources: { requests: { cpu: '250m', memory: '256Mi' } } }],
      },
    },
  },
};

/** The build's progress as lines on stderr (the first run compiles the scheduler). */
const progress = lineProgress();

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000) => waitUntil(what, ms, fn, () => scheduler?.logTail(20) ?? '', 100);

async function scale(replicas: number): Promise<void> {
  await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: NS, body: [{ op: 'replace', path: '/spec/replicas', value: replicas }] });
}

const live = async () => (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);

/** Waits until exactly `ecs` pods are bound to ECS nodes and `eci` to the virtual node, none pending. */
async function converged(ecs: number, eci: number): Promise<V1Pod[]> {
  return until(`ecs ${ecs} + eci ${eci}`, async () => {
    const pods = await live();
    const on = (virtual: boolean) => pods.filter((p) => p.spec?.nodeName && (p.spec.nodeName === c.virtualNode) === virtual).length;
    return pods.length === ecs + eci && on(false) === ecs && on(true) === eci ? pods : undefined;
  });
}

describe('the ResourcePolicy scheduler and deletion-cost controller on the local cluster', () => {
  beforeAll(async () => {
    c = await startCluster({ name: 'e2e-rp', compression: 10, scheduler: 'external', nodePools: { ecs: [{ name: 'ecs', count: 2, labels: { 'alibabacloud.com/nodepool-id': 'np-ecs' } }] } });
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    apps = c.kubeConfig.makeApiClient(AppsV1Api);
    const pods = makeInformer<V1Pod>(c.kubeConfig, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS }));
    const mark = (p: V1Pod) => {
      const n = p.metadata!.name!;
      if (!removed.has(n)) removed.set(n, { at: Date.now(), node: p.spec?.nodeName });
    };
    pods.on('update', (p) => p.metadata?.deletionTimestamp && mark(p));
    pods.on('delete', mark);
    await pods.start();
    scheduler = await startResourcePolicyScheduler({ cluster: c.name, dir: mkdtempSync(join(tmpdir(), 'ebf-rp-')), kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, progress });
    await core.createNamespace({ body: { metadata: { name: NS } } });
    costs = startDeletionCostController({ kubeConfig: c.kubeConfig, namespace: NS });
    await costs.synced;
    await c.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: RP_GROUP, version: RP_VERSION, plural: RP_PLURAL, namespace: NS, body: policy });
    // The plugin's informer must hold the policy before the first pod is scheduled.
    await new Promise((r) => setTimeout(r, 1000));
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment });
  }, 1_800_000);
  afterAll(async () => {
    await costs?.stop();
    await scheduler?.stop();
    await c?.stop();
  });

  it('passes the plugin\'s Go unit tests (each whenTryNextUnits policy, strategy, counting rules, preemptPolicy)', async () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'scheduler');
    const r = await execa('go', ['test', '-trimpath', '-count=1', './...'], { cwd: dir, env: goEnv(), reject: false, all: true });
    expect(r.exitCode, String(r.all)).toBe(0);
  }, 900_000);

  it('scales ECS first up to the unit\'s max, then only onto the virtual node (pods without its toleration), with the unit\'s pod labels', async () => {
    await converged(1, 0);
    await scale(2);
    await converged(2, 0);
    await scale(5);
    const pods = await converged(2, 3);
    for (const p of pods) {
      const onVirtual = p.spec!.nodeName === c.virtualNode;
      expect(p.metadata?.labels?.['ebbflow.io/unit'], `${p.metadata!.name} on ${p.spec!.nodeName}`).toBe(onVirtual ? 'eci' : undefined);
      // Tolerated inside the scheduler, never written into the pod.
      expect((p.spec!.tolerations ?? []).map((t) => t.key)).not.toContain('virtual-kubelet.io/provider');
    }
  });

  it('gives the ECS unit\'s pods a higher deletion cost than the ECI unit\'s', async () => {
    const pods = await until('every pod costed', async () => {
      const ps = await live();
      return ps.every((p) => p.metadata?.annotations?.[DELETION_COST] !== undefined) ? ps : undefined;
    });
    for (const p of pods) expect(p.metadata!.annotations![DELETION_COST], p.spec!.nodeName).toBe(p.spec!.nodeName === c.virtualNode ? '100' : '200');
  });

  it('scales in from the last unit: ECI drains before an ECS pod goes', async () => {
    const since = Date.now();
    await scale(2);
    await converged(2, 0);
    await scale(1);
    await converged(1, 0);
    const gone = await until('the removals seen by the pod watch', async () => {
      const g = [...removed.values()].filter((r) => r.at >= since);
      return g.filter((r) => r.node !== c.virtualNode).length >= 1 ? g : undefined;
    });
    const eci = gone.filter((r) => r.node === c.virtualNode);
    const ecs = gone.filter((r) => r.node !== c.virtualNode);
    expect(eci).toHaveLength(3);
    expect(ecs).toHaveLength(1);
    expect(Math.min(...ecs.map((r) => r.at))).toBeGreaterThanOrEqual(Math.max(...eci.map((r) => r.at)));
  });

  it('honours whenTryNextUnits when the ECS unit lacks room: LackResourceOrExceedMax spills to ECI, ExceedMax waits, TimeoutOrExceedMax spills after its timeout', async () => {
    const ns = 'rp-when';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
    // 3 CPU a pod: one fits on each 4-CPU ECS node, and the ECS unit has no max, so only room decides.
    const make = async (name: string, replicas: number, when: Record<string, string>) => {
      await custom.createNamespacedCustomObject({ group: RP_GROUP, version: RP_VERSION, plural: RP_PLURAL, namespace: ns, body: {
        ...policy, metadata: { name, namespace: ns },
        spec: { selector: { app: name }, whenTryNextUnits: when, units: [{ resource: 'ecs', nodeSelector: { 'alibabacloud.com/nodepool-id': 'np-ecs' } }, { resource: 'eci' }] },
      } });
      await new Promise((r) => setTimeout(r, 500));
      const d = structuredClone(deployment);
      d.metadata = { name, namespace: ns };
      d.spec.replicas = replicas;
      d.spec.selector.matchLabels = { app: name };
      d.spec.template.metadata.labels = { app: name };
      d.spec.template.spec.containers[0]!.resources.requests.cpu = '3';
      await apps.createNamespacedDeployment({ namespace: ns, body: d });
    };
    const podsOf = async (app: string) => (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` })).items;
    await make('spill', 3, { policy: 'LackResourceOrExceedMax' });
    const spilled = await until('spill: 2 on ECS, 1 on ECI', async () => {
      const ps = await podsOf('spill');
      const virtual = ps.filter((p) => p.spec?.nodeName === c.virtualNode).length;
      const ecs = ps.filter((p) => p.spec?.nodeName && p.spec.nodeName !== c.virtualNode).length;
      return ecs === 2 && virtual === 1 ? ps : undefined;
    });
    expect(spilled).toHaveLength(3);
    await make('strict', 1, { policy: 'ExceedMax' });
    await make('patient', 1, { policy: 'TimeoutOrExceedMax', timeout: '5s' });
    const t0 = Date.now();
    const patient = await until('patient: on ECI after its timeout', async () => {
      const p = (await podsOf('patient'))[0];
      return p?.spec?.nodeName === c.virtualNode ? p : undefined;
    }, 120_000);
    // Not before its 5 s (the pod was created about when t0 was taken).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4000);
    expect(patient.spec!.nodeName).toBe(c.virtualNode);
    // ExceedMax never leaves a unit short of room: still Pending, refused by the plugin.
    const strict = (await podsOf('strict'))[0]!;
    expect(strict.spec?.nodeName).toBeUndefined();
    const cond = strict.status?.conditions?.find((x) => x.type === 'PodScheduled');
    expect(cond?.reason).toBe('Unschedulable');
    expect(cond?.message).toMatch(/ResourcePolicy strict is not open \(ExceedMax\)|Insufficient cpu/);
  }, 180_000);

  it('preempts as preemptPolicy says: with the ECS unit full of lower-priority pods, AfterAllUnits goes on to ECI, BeforeNextUnit preempts on ECS', async () => {
    const ns = 'rp-preempt';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const sched = c.kubeConfig.makeApiClient(SchedulingV1Api);
    await sched.createPriorityClass({ body: { metadata: { name: 'ebf-filler' }, value: 100 } });
    await sched.createPriorityClass({ body: { metadata: { name: 'ebf-urgent' }, value: 1000 } });
    const milli = (q: string | undefined) => (q === undefined ? 0 : q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
    const ecsNodes = (await core.listNode()).items.filter((n) => n.metadata?.labels?.['alibabacloud.com/nodepool-id'] === 'np-ecs');
    expect(ecsNodes.length).toBeGreaterThan(0);
    const bound = async () => (await core.listPodForAllNamespaces()).items.filter((p) => p.spec?.nodeName && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));
    const cpuOf = (p: V1Pod) => (p.spec?.containers ?? []).reduce((a, ct) => a + milli(ct.resources?.requests?.cpu as string | undefined), 0);
    // Another workload's filler pods, bound directly, leave each ECS node 500m: too little for the 1-CPU pods below.
    const before = await bound();
    for (const n of ecsNodes) {
      const name = n.metadata!.name!;
      const free = milli(n.status?.allocatable?.cpu) - before.filter((p) => p.spec!.nodeName === name).reduce((a, p) => a + cpuOf(p), 0);
      if (free <= 500) continue;
      await core.createNamespacedPod({ namespace: ns, body: {
        metadata: { name: `filler-${name}`, labels: { app: 'filler' } },
        spec: { nodeName: name, priorityClassName: 'ebf-filler', containers: [{ name: 'f', image: 'nginx:alpine', resources: { requests: { cpu: `${free - 500}m` } } }] },
      } });
    }
    const custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
    const urgent = async (name: string, preemptPolicy: string) => {
      await custom.createNamespacedCustomObject({ group: RP_GROUP, version: RP_VERSION, plural: RP_PLURAL, namespace: ns, body: {
        ...policy, metadata: { name, namespace: ns },
        spec: { selector: { app: name }, preemptPolicy, units: [{ resource: 'ecs', nodeSelector: { 'alibabacloud.com/nodepool-id': 'np-ecs' } }, { resource: 'eci' }] },
      } });
      await new Promise((r) => setTimeout(r, 500));
      await core.createNamespacedPod({ namespace: ns, body: {
        metadata: { name, labels: { app: name } },
        spec: { priorityClassName: 'ebf-urgent', containers: [{ name: 'u', image: 'nginx:alpine', resources: { requests: { cpu: '1' } } }] },
      } });
      return until(`${name} bound`, async () => {
        const p = await core.readNamespacedPod({ name, namespace: ns });
        return p.spec?.nodeName ? p : undefined;
      }, 120_000);
    };
    const ecsPods = async () => (await bound()).filter((p) => ecsNodes.some((n) => n.metadata!.name === p.spec!.nodeName) && !p.metadata?.deletionTimestamp);
    const filled = await until('fillers bound', async () => {
      const ps = await ecsPods();
      return ps.filter((p) => p.metadata?.labels?.app === 'filler').length > 0 ? ps : undefined;
    });
    const uid = (p: V1Pod) => p.metadata!.uid!;
    // AfterAllUnits (ACK's default): the next unit has room, so the pod goes there and nothing is preempted.
    const after = await urgent('urgent-after', 'AfterAllUnits');
    expect(after.spec!.nodeName).toBe(c.virtualNode);
    const stillThere = new Set((await ecsPods()).map(uid));
    expect(filled.filter((p) => !stillThere.has(uid(p))).map((p) => p.metadata!.name)).toEqual([]);
    // BeforeNextUnit: the ECS unit first, by evicting pods of lower priority on one of its nodes.
    const ecsBefore = await ecsPods();
    const before2 = await urgent('urgent-before', 'BeforeNextUnit');
    const node = before2.spec!.nodeName!;
    expect(node).not.toBe(c.virtualNode);
    expect(ecsNodes.map((n) => n.metadata!.name)).toContain(node);
    const left = new Set((await ecsPods()).map(uid));
    const victims = ecsBefore.filter((p) => p.spec!.nodeName === node && !left.has(uid(p)));
    expect(victims.length, 'a lower-priority pod preempted on the node').toBeGreaterThan(0);
    for (const v of victims) expect(v.spec?.priority ?? 0).toBeLessThan(1000);
  }, 300_000);
});
