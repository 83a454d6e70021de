import { stringify } from 'yaml';
import { kubeControllerManagerArgs, type HpaFlags } from '../local/control-plane.ts';

/** The HPA flags the local backend gives kcm, compressed by k; the rest of kcm stays kubeadm's. */
const HPA_FLAG = /^horizontal-pod-autoscaler-/;

export interface KindClusterOptions {
  /** Node image, e.g. ebbflow/kind-node:v1.36.1 (assembled by node-image.sh). */
  image: string;
  hpa: HpaFlags;
  /** Compression factor of the replay (1 = real time). */
  k: number;
}

/**
 * kind's Cluster config: one control-plane node from our image; no default CNI (kindnetd is not on
 * the module proxy; the image carries a bridge conflist); kubelet told that cgroup v1 is fine
 * (kubelet ≥ 1.35 refuses it otherwise, and CI hosts still run v1); kcm with the compressed HPA flags
 * through a kubeadm patch (kubeadm v1beta4: extraArgs is a list of name/value).
 */
export function kindClusterConfig(o: KindClusterOptions): object {
  const hpaArgs = kubeControllerManagerArgs(o.hpa, o.k)
    .filter((a) => HPA_FLAG.test(a.key))
    .map((a) => ({ name: a.key, value: a.value }));
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking: { disableDefaultCNI: true },
    nodes: [{ role: 'control-plane', image: o.image }],
    kubeadmConfigPatches: [
      stringify({
        kind: 'ClusterConfiguration',
        controllerManager: { extraArgs: [{ name: 'enable-hostpath-provisioner', value: 'true' }, ...hpaArgs] },
      }),
      stringify({ kind: 'KubeletConfiguration', failCgroupV1: false, failSwapOn: false }),
    ],
  };
}

export function kindClusterConfigYaml(o: KindClusterOptions): string {
  return stringify(kindClusterConfig(o));
}
