import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { sharedCluster, type SharedCluster } from '../../cluster/local/testing.ts';
import { createVirtualClock } from '../clock/clock.ts';
import type { TimelineRecord, TimelineEvent, TimelineSample } from '../../core/timeline/format.ts';
import { startRecorder, type Recorder } from './recorder.ts';

const K = 10;
const NS = 'rec-e2e';
let c: SharedCluster;
let rec: Recorder;
const out: TimelineRecord[] = [];
const waiters = new Set<() => void>();
const write = (r: TimelineRecord) => {
  out.push(r);
  for (const w of [...waiters]) w();
};
const events = () => out.filter((r): r is TimelineEvent => r.kind === 'event');

/** Resolves once the recorder has written events satisfying `done` (its writes are the acknowledgement). */
function recorded(what: string, done: (events: TimelineEvent[]) => boolean, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!done(events())) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`recorder wrote no ${what} within ${ms} ms; events: ${events().map((e) => `${e.type} ${e.object ?? ''}`).join(', ')}`));
    }, ms);
    waiters.add(check);
    check();
  });
}

function deployment(name: string, replicas: number, eci: boolean): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx', part: name } },
      template: {
        metadata: { labels: { app: 'nginx', part: name } },
        spec: {
          containers: [{ name: 'nginx', image: 'nginx' }],
          ...(eci ? { nodeSelector: { type: 'virtual-kubelet' }, tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }] } : {}),
        },
      },
    },
  };
}

describe('recorder on the real cluster', () => {
  beforeAll(async () => {
    // The e2e project's shared cluster: its k and ECI latency (10 s start + 2 s pull, no jitter) are
    // what the virtual-time bounds below are computed from.
    c = await sharedCluster();
    expect(c.config.compression).toBe(K);
    expect(c.config.nodePools.eci.startLatency).toMatchObject({ startSeconds: 10, imagePull: { min: 2, max: 2 }, jitterSeconds: 0 });
    await c.namespace(NS);
    rec = await startRecorder({
      kubeConfig: c.kubeConfig,
      namespace: NS,
      hpaName: 'nginx',
      ewName: 'nginx',
      sourceName: 'nginx',
      virtualNode: c.virtualNode,
      clock: createVirtualClock({ k: K, t0: Date.UTC(2026, 0, 1, 8) }),
      devices: () => 2500,
      devicesPerReplica: 1000,
      sampleEverySeconds: 10,
      write,
    });
  });
  afterAll(async () => {
    await rec?.stop();
    await c?.release();
  });

  it('records pods per node type, the split, and pod transitions with node types', async () => {
    const apps = c.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment('nginx', 2, false) });
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment('nginx-unit-virtual-kubelet', 1, true) });
    // ECI latency 12 virtual s = 1.2 s wall; wait until the recorder saw both kinds Ready.
    const readyOn = (es: TimelineEvent[], t: string) => es.filter((e) => e.type === 'pod.ready' && e.nodeType === t).length;
    await recorded('3 pod.ready events', (es) => readyOn(es, 'ecs') === 2 && readyOn(es, 'eci') === 1);
    const s: TimelineSample = rec.sample();
    expect(s?.pods).toEqual({ ecs: { ready: 2, pending: 0, failed: 0 }, eci: { ready: 1, pending: 0, failed: 0 } });
    expect(s?.ew).toMatchObject({ source: 2, units: { 'nginx-unit-virtual-kubelet': 1 } });
    expect(s?.needed).toBe(3);
    const evs = events();
    const readyEci = evs.find((e) => e.type === 'pod.ready' && e.nodeType === 'eci');
    expect(readyEci?.owner).toBe('nginx-unit-virtual-kubelet');
    expect(readyEci?.node).toBe(c.virtualNode);
    const createdEci = evs.find((e) => e.type === 'pod.created' && e.object === readyEci?.object);
    // Virtual time between created and ready is at least the ECI latency (12 s), minus sampling slack.
    expect(readyEci!.t - createdEci!.t).toBeGreaterThanOrEqual(10_000);
    expect(evs.filter((e) => e.type === 'pod.ready' && e.nodeType === 'ecs' && e.owner === 'source')).toHaveLength(2);
    expect(evs.some((e) => e.type === 'ew.split' && /source 2/.test(e.message ?? ''))).toBe(true);
  });

  it('records deletions with owners when scaling in', async () => {
    const apps = c.kubeConfig.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeploymentScale({ name: 'nginx-unit-virtual-kubelet', namespace: NS, body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] });
    await recorded('pod.deleted', (es) => es.some((e) => e.type === 'pod.deleted'));
    const del = out.find((r): r is TimelineEvent => r.kind === 'event' && r.type === 'pod.deleted');
    expect(del?.owner).toBe('nginx-unit-virtual-kubelet');
    expect(del?.nodeType).toBe('eci');
  });
});
