import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hpaFlagsSchema } from '../local/control-plane.ts';
import { nodePoolsSchema } from '../nodes/config.ts';
import { ecsNodeLabels, KIND_SCHEDULER_MANIFEST, KIND_SCHEDULER_PARKED, kindClusterConfig, kindClusterConfigYaml, vkEciArgs } from './config.ts';

describe('kind cluster config', () => {
  const hpa = hpaFlagsSchema.parse({});

  it('gives kcm the HPA flags compressed by k, as the local backend does, and nothing else of it', () => {
    const c = kindClusterConfig({ image: 'ebbflow/kind-node:v1.36.1', hpa, k: 10 }) as { kubeadmConfigPatches: string[] };
    const cc = parse(c.kubeadmConfigPatches[0]!) as { kind: string; controllerManager: { extraArgs: { name: string; value: string }[] } };
    expect(cc.kind).toBe('ClusterConfiguration');
    const args = Object.fromEntries(cc.controllerManager.extraArgs.map((a) => [a.name, a.value]));
    expect(args['horizontal-pod-autoscaler-sync-period']).toBe('1500ms');
    expect(args['horizontal-pod-autoscaler-downscale-stabilization']).toBe('30000ms');
    expect(args['horizontal-pod-autoscaler-tolerance']).toBe('0.1');
    expect(args['controllers']).toBeUndefined(); // kind's node join needs kcm's default controllers
    expect(args['leader-elect']).toBeUndefined();
  });

  it('uses the node image, no default CNI, and lets kubelet run on cgroup v1', () => {
    const y = parse(kindClusterConfigYaml({ image: 'img:1', hpa, k: 1 })) as { nodes: { image: string }[]; networking: object; kubeadmConfigPatches: string[] };
    expect(y.nodes).toEqual([{ role: 'control-plane', image: 'img:1' }]);
    expect(y.networking).toEqual({ disableDefaultCNI: true });
    expect(parse(y.kubeadmConfigPatches[1]!)).toEqual({ kind: 'KubeletConfiguration', failCgroupV1: false, failSwapOn: false });
  });
});

describe('the kind node as the ECS pool, vk-eci as the ECI node', () => {
  const pools = nodePoolsSchema.parse({ ecs: [{ name: 'ecs', count: 3, labels: { team: 'chat' } }], eci: { startLatency: { startSeconds: 10, imagePull: { min: 2, max: 8 } }, failures: { mode: 'failed', probability: 0.25 } } });

  it('labels the node as the first ECS pool and puts the labels in the kind config', () => {
    const labels = ecsNodeLabels(pools);
    expect(labels).toMatchObject({ 'ebbflow.io/pool': 'ecs', 'ebbflow.io/node-type': 'ecs', team: 'chat' });
    const y = parse(kindClusterConfigYaml({ image: 'img:1', hpa: hpaFlagsSchema.parse({}), k: 1, nodeLabels: labels })) as { nodes: { labels: Record<string, string> }[] };
    expect(y.nodes[0]!.labels).toEqual(labels);
  });

  it('gives vk-eci the start latency (start + mean pull) divided by k and the failure share', () => {
    const v = vkEciArgs(pools.eci, 60);
    expect(v.node).toBe('virtual-kubelet-cn-hangzhou-i');
    expect(v.args).toEqual(['--region', 'cn-hangzhou', '--zone', 'i', '--start-latency', '250ms', '--inventory-failure-rate', '0.25']);
    expect(v.warnings).toEqual([]);
    expect(vkEciArgs({ ...pools.eci, failures: { ...pools.eci.failures, mode: 'pending', maxFailures: 2 } }, 1).warnings).toHaveLength(2);
  });

  it('parks kind\'s kube-scheduler manifest outside the kubelet\'s manifests directory (the kubelet reads every file there)', () => {
    expect(dirname(KIND_SCHEDULER_MANIFEST)).toBe('/etc/kubernetes/manifests');
    expect(dirname(KIND_SCHEDULER_PARKED)).not.toBe(dirname(KIND_SCHEDULER_MANIFEST));
    expect(KIND_SCHEDULER_PARKED.startsWith(`${dirname(KIND_SCHEDULER_MANIFEST)}/`)).toBe(false);
  });
});
