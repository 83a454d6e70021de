import type { V1Pod } from '@kubernetes/client-node';
import type { NodeType } from '../../core/timeline/format.ts';

/** Pure helpers that turn watched objects into timeline facts. */

export function isPodReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function podNodeType(p: V1Pod, virtualNode: string | undefined): NodeType | undefined {
  const n = p.spec?.nodeName;
  if (!n) return undefined;
  return n === virtualNode ? 'eci' : 'ecs';
}

/** The Deployment a pod belongs to: its ReplicaSet's name without the pod-template-hash suffix. */
export function podDeployment(p: V1Pod): string | undefined {
  const rs = p.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  const hash = p.metadata?.labels?.['pod-template-hash'];
  if (!rs) return undefined;
  return hash && rs.endsWith(`-${hash}`) ? rs.slice(0, -hash.length - 1) : rs.replace(/-[a-z0-9]{5,10}$/, '');
}

/**
 * The workload a pod belongs to, by that workload's kind: a Deployment's through its ReplicaSet
 * (`podDeployment`); a workload that owns its pods itself (OpenKruise's CloneSet) by its owner
 * reference of that kind, whose name is the workload's as it is.
 */
export function podWorkload(p: V1Pod, kind = 'Deployment'): string | undefined {
  if (kind === 'Deployment') return podDeployment(p);
  return p.metadata?.ownerReferences?.find((o) => o.kind === kind)?.name;
}

export interface PodCountsByType {
  ecs: { ready: number; pending: number; failed: number };
  eci: { ready: number; pending: number; failed: number };
}

export function countPods(pods: Iterable<V1Pod>, virtualNode: string | undefined, belongs: (p: V1Pod) => boolean, destination?: (p: V1Pod) => NodeType | undefined): PodCountsByType {
  const out: PodCountsByType = { ecs: { ready: 0, pending: 0, failed: 0 }, eci: { ready: 0, pending: 0, failed: 0 } };
  for (const p of pods) {
    if (!belongs(p) || p.metadata?.deletionTimestamp) continue;
    // A pod not yet bound counts as pending where it is going: unit pods select the virtual node;
    // a pod whose tier the placement reads on it (node affinity, not a nodeSelector) goes where its tier runs.
    const type = podNodeType(p, virtualNode) ?? destination?.(p) ?? (p.spec?.nodeSelector?.type === 'virtual-kubelet' ? 'eci' : 'ecs');
    const bucket = out[type];
    if (p.status?.phase === 'Failed') bucket.failed++;
    else if (isPodReady(p)) bucket.ready++;
    else bucket.pending++;
  }
  return out;
}
