import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hpaFlagsSchema } from '../local/control-plane.ts';
import { kindClusterConfig, kindClusterConfigYaml } from './config.ts';

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
