import { deletionCost, DELETION_COST, selectsLabels, unitOfNode, type ResourcePolicySpec } from './spec.ts';

/** What the reconcile reads of a pod and of the nodes (pure input). */
export interface PodView {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeName?: string;
  terminating: boolean;
}

/**
 * The deletion-cost annotation each bound, live pod of the policy should carry and does not (pure):
 * `[pod, cost]` pairs, the writes of one idempotent reconcile. Unbound pods get none: the
 * ReplicaSet controller removes unscheduled pods before any other anyway.
 */
export function costPatches(spec: ResourcePolicySpec, pods: readonly PodView[], nodeLabels: (node: string) => Record<string, string> | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const p of pods) {
    if (p.terminating || !p.nodeName || !selectsLabels(spec, p.labels)) continue;
    const want = deletionCost(spec, unitOfNode(spec, nodeLabels(p.nodeName)));
    if (p.annotations?.[DELETION_COST] !== want) out.push([p.name, want]);
  }
  return out;
}
