import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { waitUntil } from '../../core/wait.ts';
import { ensureBinaries } from '../toolchain/index.ts';
import { sharedKindCluster, type SharedKindCluster } from '../kind/testing.ts';

const NODE = 'virtual-kubelet-cn-hangzhou-i';
const NS = 'vk-eci-e2e';
let cluster: SharedKindCluster;
let vk: ResultPromise;
let kubectl: (...args: string[]) => Promise<string>;
const vkOut: string[] = [];

/** A pod pinned to the ECI node as an ElasticWorkload unit would be. */
function eciPod(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { 'alibabacloud.com/eci': 'true' } },
    spec: {
      nodeSelector: { type: 'virtual-kubelet' },
      tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }],
      containers: [{ name: 'app', image: 'registry.example/app:1' }],
    },
  });
}

beforeAll(async () => {
  // The shared kind cluster (no virtual node of its own): this file's vk-eci is the only provider of NODE on it.
  cluster = await sharedKindCluster();
  await cluster.namespace(NS);
  const bins = await ensureBinaries(['kubectl', 'vk-eci']);
  kubectl = async (...args) => String((await execa(bins['kubectl']!, ['--kubeconfig', cluster.kubeconfig, ...args])).stdout);
  // At rate 0.5 the stable per-pod hash fails some of eci-0..5 and starts the others.
  vk = execa(bins['vk-eci']!, ['--kubeconfig', cluster.kubeconfig, '--start-latency', '3s', '--inventory-failure-rate', '0.5'], { reject: false, all: true });
  vk.all?.on('data', (d: Buffer) => vkOut.push(String(d)));
  await waitUntil('vk-eci reports its node ready', 120_000, async () => (vkOut.join('').includes(`virtual node ${NODE} ready`) ? true : undefined), () => vkOut.join('').slice(-2000));
});

afterAll(async () => {
  // The namespace first, while vk-eci still answers for its pods; then the node it registered,
  // so the next file on the shared cluster sees no virtual node (the pod GC removes pods bound to it).
  await cluster?.release();
  vk?.kill('SIGTERM');
  await vk;
  if (kubectl) await kubectl('delete', 'node', NODE, '--ignore-not-found');
});

describe('vk-eci: a real virtual-kubelet mocking ECI on the kind backend', () => {
  it('registers an ACK-like virtual node: name, labels, taint, Ready', async () => {
    type Node = {
      metadata: { labels: Record<string, string> };
      spec: { taints?: { key: string; value?: string; effect: string }[] };
      status: { conditions: { type: string; status: string }[] };
    };
    // The node lifecycle controller lifts its not-ready taint a moment after the node turns Ready.
    const n = await waitUntil('the virtual node Ready, not-ready taint lifted', 60_000, async () => {
      const x = JSON.parse(await kubectl('get', 'node', NODE, '-o', 'json')) as Node;
      const ready = x.status.conditions.find((c) => c.type === 'Ready')?.status === 'True';
      return ready && !(x.spec.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')) ? x : undefined;
    });
    expect(n.metadata.labels['type']).toBe('virtual-kubelet');
    expect(n.spec.taints).toEqual([{ key: 'virtual-kubelet.io/provider', value: 'alibabacloud', effect: 'NoSchedule' }]);
  });

  it('starts pods after the configured latency, and fails the inventory share as ECI does', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `eci-${i}`);
    const t0 = Date.now();
    for (const n of names) await execa('sh', ['-c', `echo '${eciPod(n)}' | "$0" --kubeconfig "$1" apply -f -`, (await ensureBinaries(['kubectl']))['kubectl']!, cluster.kubeconfig]);
    const phases = await waitUntil('every ECI pod Running or Failed', 60_000, async () => {
      const pods = JSON.parse(await kubectl('get', 'pods', '-n', NS, '-o', 'json')) as { items: { metadata: { name: string }; spec: { nodeName?: string }; status: { phase: string; reason?: string } }[] };
      const mine = pods.items.filter((p) => names.includes(p.metadata.name));
      return mine.length === names.length && mine.every((p) => p.status.phase === 'Running' || p.status.phase === 'Failed') ? mine : undefined;
    }, undefined, 250);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3_000);
    expect(phases.every((p) => p.spec.nodeName === NODE)).toBe(true);
    const failed = phases.filter((p) => p.status.phase === 'Failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(names.length);
    expect(failed.every((p) => p.status.reason === 'ECIInventoryShortage')).toBe(true);
  });
});
