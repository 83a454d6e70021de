import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { waitUntil } from '../../core/wait.ts';
import { ensureBinaries } from '../toolchain/index.ts';
import { kindClusterName, startKindCluster, type KindCluster } from './cluster.ts';

let cluster: KindCluster;
let kubectl: (...args: string[]) => Promise<string>;

beforeAll(async () => {
  cluster = await startKindCluster({ name: 'kind-e2e', compression: 10 }, { progress: (l) => process.stderr.write(`${l}\n`) });
  const { kubectl: bin } = await ensureBinaries(['kubectl']);
  kubectl = async (...args) => String((await execa(bin!, ['--kubeconfig', cluster.kubeconfig, ...args])).stdout);
});

afterAll(async () => {
  await cluster?.stop();
});

describe('kind backend (offline node image)', () => {
  it('brings up a Ready node running the pinned Kubernetes release', async () => {
    const nodes = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as {
      items: { status: { nodeInfo: { kubeletVersion: string }; conditions: { type: string; status: string }[] } }[];
    };
    expect(nodes.items).toHaveLength(1);
    expect(nodes.items[0]!.status.nodeInfo.kubeletVersion).toBe('v1.36.1');
    expect(nodes.items[0]!.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('runs kcm with the HPA flags compressed by k, as the local backend does', async () => {
    const cmd = await kubectl('-n', 'kube-system', 'get', 'pod', '-l', 'component=kube-controller-manager', '-o', 'jsonpath={.items[0].spec.containers[0].command}');
    expect(cmd).toContain('--horizontal-pod-autoscaler-sync-period=1500ms');
    expect(cmd).toContain('--horizontal-pod-autoscaler-downscale-stabilization=30000ms');
  });

  it('runs a real pod on the node from an image no registry served', async () => {
    await kubectl('run', 'probe', '--image=registry.k8s.io/pause:3.10.2', '--image-pull-policy=Never', '--restart=Never');
    const ip = await waitUntil('pod probe Running with an IP', 120_000, async () => {
      const p = JSON.parse(await kubectl('get', 'pod', 'probe', '-o', 'json')) as { status: { phase: string; podIP?: string } };
      return p.status.phase === 'Running' && p.status.podIP ? p.status.podIP : undefined;
    });
    expect(ip).toMatch(/^10\.244\.0\.\d+$/);
  });

  it('stop leaves no node container behind, and no kind network unless another kind cluster still uses it', async () => {
    await cluster.stop();
    const containers = await execa('docker', ['ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${kindClusterName('kind-e2e')}`, '--format', '{{.Names}}']);
    expect(containers.stdout.trim()).toBe('');
    // The e2e project's shared kind cluster (or anyone's on this Docker) may hold the network: then it
    // must stay, and only other clusters' containers may be on it; with none, the last stop removed it.
    const net = await execa('docker', ['network', 'inspect', 'kind', '--format', '{{range .Containers}}{{.Name}} {{end}}'], { reject: false });
    if (net.exitCode === 0) {
      const on = net.stdout.trim().split(/\s+/).filter(Boolean);
      expect(on.length, 'an idle kind network was left behind').toBeGreaterThan(0);
      expect(on.filter((n) => n.startsWith(`${kindClusterName('kind-e2e')}-`))).toEqual([]);
    }
  });
});
