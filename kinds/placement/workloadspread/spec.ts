import type { NodeSelectorTerm, Toleration } from '../../model/nodes.ts';

/**
 * The fields of OpenKruise's WorkloadSpread this kind reads, in both served versions: v1alpha1
 * (`requiredNodeSelectorTerm`, `preferredNodeSelectorTerms`, what ACK's documentation shows) and
 * v1beta1, the stored one (`requiredNodeSelector`, `preferredNodeSelector`).
 */

export const KIND = 'WorkloadSpread';

export const WS_API = { group: 'apps.kruise.io', plural: 'workloadspreads' } as const;

/** The annotation kruise's pod webhook writes on each pod it places: `{"name":"<ws>","subset":"<subset>"}`. */
export const MATCHED_ANNOTATION = 'apps.kruise.io/matched-workloadspread';

/** What the workloadspread controller sets on the pods, and the ReplicaSet controller scales in by. */
export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

/**
 * How long the controller keeps a subset unschedulable once its pods stayed Pending
 * (`MaxScheduledFailedDuration`, fixed in v1.9.0: not a field of the spec).
 */
export const UNSCHEDULABLE_SECONDS = 300;

/** The workload kinds a WorkloadSpread may name whose scale-in follows the deletion cost it sets (`isEffectiveKindForDeletionCost`). */
export const TARGET_KINDS = [
  { kind: 'Deployment', group: 'apps' },
  { kind: 'ReplicaSet', group: 'apps' },
  { kind: 'CloneSet', group: 'apps.kruise.io' },
] as const;

export interface SubsetSpec {
  name: string;
  requiredNodeSelectorTerm?: NodeSelectorTerm;
  requiredNodeSelector?: NodeSelectorTerm;
  preferredNodeSelectorTerms?: unknown[];
  preferredNodeSelector?: unknown[];
  tolerations?: Toleration[];
  maxReplicas?: number | string;
  patch?: { metadata?: unknown; spec?: unknown; [k: string]: unknown };
}

export interface WorkloadSpreadSpec {
  targetRef?: { apiVersion?: string; kind?: string; name?: string };
  targetFilter?: unknown;
  subsets?: SubsetSpec[];
  scheduleStrategy?: { type?: 'Fixed' | 'Adaptive' | ''; adaptive?: { rescheduleCriticalSeconds?: number; disableSimulationSchedule?: boolean } };
}

/** A subset's required term under either version's name. */
export const requiredOf = (s: SubsetSpec) => s.requiredNodeSelectorTerm ?? s.requiredNodeSelector;
/** A subset's preferred terms under either version's name. */
export const preferredOf = (s: SubsetSpec) => s.preferredNodeSelectorTerms ?? s.preferredNodeSelector;

/** The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group ``). */
export const groupOf = (apiVersion: string | undefined) => (apiVersion?.includes('/') ? apiVersion.split('/')[0]! : '');

/** The subset the webhook wrote on a pod, or undefined (no annotation, another WorkloadSpread's, not JSON). */
export function matchedSubset(annotations: Record<string, string> | undefined, ws: string): string | undefined {
  const raw = annotations?.[MATCHED_ANNOTATION];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { name?: unknown; subset?: unknown };
    return v.name === ws && typeof v.subset === 'string' ? v.subset : undefined;
  } catch {
    return undefined;
  }
}
