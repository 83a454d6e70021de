import { stringify } from 'yaml';
import { kubeControllerManagerArgs, type HpaFlags } from '../local/control-plane.ts';
import { virtualNodeName, type EciNode, type NodePools } from '../nodes/config.ts';
import { NODE_TYPE_LABEL, POOL_LABEL } from '../nodes/objects.ts';

/** The HPA flags the local backend gives kcm, compressed by k; the rest of kcm stays kubeadm's. */
const HPA_FLAG = /^horizontal-pod-autoscaler-/;

export interface KindClusterOptions {
  /** Node image, e.g. ebbflow/kind-node:v1.36.1 (assembled by node-image.sh). */
  image: string;
  hpa: HpaFlags;
  /** Compression factor of the replay (1 = real time). */
  k: number;
  /** Labels of the one node (the ECS pool's, so source pods land there as on ECS). */
  nodeLabels?: Record<string, string>;
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
    nodes: [{ role: 'control-plane', image: o.image, ...(o.nodeLabels && Object.keys(o.nodeLabels).length ? { labels: o.nodeLabels } : {}) }],
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

/**
 * kubeadm's static pod manifest of kind's kube-scheduler, and where a run with its own scheduler
 * parks it: outside the kubelet's manifests directory (the kubelet reads every file there, whatever
 * its name), so the kubelet stops the pod and deletes its mirror pod; `kind delete` drops the node
 * with it.
 */
export const KIND_SCHEDULER_MANIFEST = '/etc/kubernetes/manifests/kube-scheduler.yaml';
export const KIND_SCHEDULER_PARKED = '/etc/kubernetes/kube-scheduler.yaml.external';

/** The kind node plays the first ECS pool: its labels, as the local backend's KWOK ECS nodes carry them. */
export function ecsNodeLabels(pools: Pick<NodePools, 'ecs'>): Record<string, string> {
  const pool = pools.ecs[0];
  if (!pool) return {};
  return { [POOL_LABEL]: pool.name, [NODE_TYPE_LABEL]: 'ecs', 'node.kubernetes.io/instance-type': pool.instanceType, ...pool.labels };
}

/**
 * vk-eci's flags for the scenario's ECI node: one start latency (instance start + the mean image
 * pull, divided by k; vk-eci has no per-pod spread) and the inventory failure share. The failure
 * rules vk-eci cannot express (a name pattern, a cap) are returned as warnings, not dropped silently.
 */
export function vkEciArgs(eci: EciNode, k: number): { args: string[]; node: string; warnings: string[] } {
  const l = eci.startLatency;
  const latencyMs = Math.max(1, Math.round(((l.startSeconds + (l.imagePull.min + l.imagePull.max) / 2) * 1000) / k));
  const warnings: string[] = [];
  if (eci.failures.podNamePattern !== undefined || eci.failures.maxFailures !== undefined) warnings.push('nodes.eci.failures: podNamePattern and maxFailures are not modelled by the kind backend\'s virtual-kubelet (only probability)');
  if (eci.failures.probability > 0 && eci.failures.mode === 'pending') warnings.push('nodes.eci.failures.mode pending: the kind backend\'s virtual-kubelet fails pods (phase Failed) instead');
  return {
    args: ['--region', eci.region, '--zone', eci.zone, '--start-latency', `${latencyMs}ms`, '--inventory-failure-rate', String(eci.failures.probability)],
    node: virtualNodeName(eci),
    warnings,
  };
}
