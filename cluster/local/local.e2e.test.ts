import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { startCluster, clusterStatus } from './index.ts';
import { componentPids, isAlive } from './state.ts';
import { sharedCluster, type SharedCluster } from './testing.ts';
import { ECI_LATENCY } from '../nodes/stages.ts';
import { waitUntil } from '../../core/wait.ts';

let c: SharedCluster;
let core: CoreV1Api;
let apps: AppsV1Api;

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000) => waitUntil(what, ms, fn, undefined, 100);

/** Each test works in its own namespace: nothing an earlier test created is listed or counted by a later one. */
const namespace = (name: string) => c.namespace(name);

const isReady = (p: V1Pod) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

function pod(name: string, eci: { toleration: boolean; selector: boolean }): V1Pod {
  return {
    metadata: { name, labels: { test: name } },
    spec: {
      containers: [{ name: 'c', image: 'nginx' }],
      ...(eci.selector ? { nodeSelector: { type: 'virtual-kubelet' } } : {}),
      ...(eci.toleration ? { tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }] } : {}),
    },
  };
}

function web(replicas: number): V1Deployment {
  return {
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

// On the e2e project's shared cluster (`testing.ts`: 3 ECS nodes, the ECI node with a 10 s start +
// 2 s pull and no jitter, k = 10): what this part tests is what any cluster of ours does, not its
// lifecycle (the part below keeps clusters of its own for that).
describe('local cluster (real control plane + KWOK)', () => {
  beforeAll(async () => {
    c = await sharedCluster();
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    apps = c.kubeConfig.makeApiClient(AppsV1Api);
  });
  afterAll(async () => {
    // The ECI rules are the cluster's, not the namespace's: the next file must find none.
    await c?.setEciFailures({ probability: 0 });
    await c?.release();
  });

  it('registers ECS nodes and an ACK-like virtual node', async () => {
    const nodes = (await core.listNode()).items;
    const vn = nodes.find((n) => n.metadata?.name === 'virtual-kubelet-cn-hangzhou-i');
    expect(vn?.metadata?.labels?.type).toBe('virtual-kubelet');
    expect(vn?.spec?.taints).toEqual([{ key: 'virtual-kubelet.io/provider', value: 'alibabacloud', effect: 'NoSchedule' }]);
    expect(nodes.filter((n) => n.metadata?.labels?.['node.kubernetes.io/instance-type'])).toHaveLength(3);
  });

  it('runs a Deployment of 6 replicas Ready on ECS nodes only', async () => {
    const ns = await namespace('local-web');
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: web(6),
    });
    const pods = await until('6 ready pods', async () => {
      const l = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items;
      return l.length === 6 && l.every(isReady) ? l : undefined;
    });
    for (const p of pods) {
      expect(c.ecsNodes).toContain(p.spec?.nodeName);
      expect(p.status?.phase).toBe('Running');
    }
  });

  it('starts a tolerating ECI pod on the virtual node only after the ECI latency', async () => {
    const ns = await namespace('local-eci');
    const t0 = Date.now();
    await core.createNamespacedPod({ namespace: ns, body: pod('eci-1', { toleration: true, selector: true }) });
    const p = await until('eci-1 ready', async () => {
      const x = await core.readNamespacedPod({ name: 'eci-1', namespace: ns });
      return isReady(x) ? x : undefined;
    });
    const elapsed = Date.now() - t0;
    expect(p.spec?.nodeName).toBe(c.virtualNode);
    const latency = Number(p.metadata?.annotations?.[ECI_LATENCY]);
    // The drawn latency lies within the cluster's configured start + pull.
    const { startSeconds, imagePull } = c.config.nodePools.eci.startLatency;
    expect(latency).toBeGreaterThanOrEqual(startSeconds + imagePull.min);
    expect(latency).toBeLessThanOrEqual(startSeconds + imagePull.max);
    // Ready no earlier than the drawn latency, scaled by 1/k (200 ms slack for clock granularity).
    expect(elapsed).toBeGreaterThanOrEqual((latency * 1000) / c.config.compression - 200);
  });

  it('never places a pod without the toleration on the virtual node', async () => {
    const ns = await namespace('local-no-toleration');
    await core.createNamespacedPod({ namespace: ns, body: pod('no-tol', { toleration: false, selector: true }) });
    const p = await until('unschedulable condition', async () => {
      const x = await core.readNamespacedPod({ name: 'no-tol', namespace: ns });
      return x.status?.conditions?.some((k) => k.type === 'PodScheduled' && k.reason === 'Unschedulable') ? x : undefined;
    });
    expect(p.spec?.nodeName).toBeUndefined();
    expect(p.status?.conditions?.find((k) => k.type === 'PodScheduled')?.message).toMatch(/untolerated taint/);
  });

  it('produces ECI inventory failures on demand: failed and stuck pending', async () => {
    const ns = await namespace('local-eci-failures');
    await c.setEciFailures({ mode: 'failed', probability: 1, reason: 'ProviderInventoryNotEnough' });
    await core.createNamespacedPod({ namespace: ns, body: pod('eci-fail', { toleration: true, selector: true }) });
    const failed = await until('failed pod', async () => {
      const x = await core.readNamespacedPod({ name: 'eci-fail', namespace: ns });
      return x.status?.phase === 'Failed' ? x : undefined;
    });
    expect(failed.status?.reason).toBe('ProviderInventoryNotEnough');

    await c.setEciFailures({ mode: 'pending', probability: 1, reason: 'ProviderInventoryNotEnough' });
    await core.createNamespacedPod({ namespace: ns, body: pod('eci-stuck', { toleration: true, selector: true }) });
    const stuck = await until('stuck pod', async () => {
      const x = await core.readNamespacedPod({ name: 'eci-stuck', namespace: ns });
      return x.status?.reason ? x : undefined;
    });
    expect(stuck.status?.phase).toBe('Pending');

    // Inventory recovers: the next pod starts (setEciFailures returns once the agent applied the rules).
    await c.setEciFailures({ probability: 0 });
    await core.createNamespacedPod({ namespace: ns, body: pod('eci-ok', { toleration: true, selector: true }) });
    await until('recovered pod ready', async () => (isReady(await core.readNamespacedPod({ name: 'eci-ok', namespace: ns })) ? true : undefined));
    // A pod created later has gone through the whole ECI latency: the stuck one, older, never will.
    expect(isReady(await core.readNamespacedPod({ name: 'eci-stuck', namespace: ns }))).toBe(false);
  });

  it('has the real HPA controller process an HPA (status conditions set)', async () => {
    const ns = await namespace('local-hpa');
    const hpa = c.kubeConfig.makeApiClient(AutoscalingV2Api);
    await apps.createNamespacedDeployment({ namespace: ns, body: web(1) });
    await hpa.createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          minReplicas: 1,
          maxReplicas: 10,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        },
      },
    });
    const st = await until('hpa conditions', async () => {
      const h = await hpa.readNamespacedHorizontalPodAutoscaler({ name: 'web', namespace: ns });
      return h.status?.conditions?.length ? h.status : undefined;
    });
    const types = st.conditions!.map((x) => x.type);
    expect(types).toContain('AbleToScale');
    // No metrics API in this cluster: the controller says so, which proves it ran.
    expect(st.conditions!.find((x) => x.type === 'ScalingActive')?.status).toBe('False');
  });
});

describe('cluster teardown', () => {
  it('stop() leaves no process behind', async () => {
    const x = await startCluster({ name: 'e2e-stop', nodePools: { ecs: [{ name: 'ecs', count: 1 }] } });
    const st = await clusterStatus('e2e-stop');
    const pids = st.components.map((p) => p.pid!).filter(Boolean);
    expect(pids.length).toBeGreaterThanOrEqual(6);
    expect(pids.every(isAlive)).toBe(true);
    await x.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect((await clusterStatus('e2e-stop')).exists).toBe(false);
  });

  it('a start whose kwok-controller dies fails at once, naming it, and leaves nothing', async () => {
    const name = 'e2e-dead-kwok';
    let killedAt = 0;
    const killer = setInterval(() => {
      const pid = componentPids(name)['kwok-controller'];
      if (pid === undefined || killedAt) return;
      process.kill(pid, 'SIGKILL');
      killedAt = Date.now();
    }, 20);
    try {
      const e = await startCluster({ name, nodePools: { ecs: [{ name: 'ecs', count: 1 }] } }).then(() => undefined, (x: Error) => x);
      expect(killedAt).toBeGreaterThan(0);
      expect(e?.message).toMatch(/^kwok-controller \(pid \d+\) of cluster "e2e-dead-kwok" exited/);
      // The next wait noticed, not the 120 s deadline of the nodes' (kwokctl create itself takes 3–20 s).
      expect(Date.now() - killedAt).toBeLessThan(60_000);
      expect((await clusterStatus(name)).exists).toBe(false);
    } finally {
      clearInterval(killer);
    }
  });

  it('a crashed owner process is cleaned up by the cluster agent', async () => {
    const script = `
      const { startCluster } = await import('./cluster/local/index.ts');
      await startCluster({ name: 'e2e-crash', nodePools: { ecs: [{ name: 'ecs', count: 1 }] } });
      process.stdout.write('up\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('up') && res());
      child.on('exit', (code) => rej(new Error(`child exited early (${code})`)));
    });
    const pids = (await clusterStatus('e2e-crash')).components.map((p) => p.pid!).filter(Boolean);
    expect(pids.every(isAlive)).toBe(true);
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
    await until('agent teardown', async () => (pids.some(isAlive) ? undefined : true), 30_000);
    expect((await clusterStatus('e2e-crash')).exists).toBe(false);
  });
});
