import type { NodeSelectorTerm, Toleration } from '../../model/nodes.ts';

/** The fields of OpenKruise's `apps.kruise.io/v1alpha1` UnitedDeployment this kind reads. */

export const KIND = 'UnitedDeployment';

/** Group, version and plural of the UnitedDeployment (its scale subresource is what the HPA sets). */
export const UD_API = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'uniteddeployments' } as const;

/** The subset's label on its workload and pods (`apps.kruise.io/subset-name`). */
export const SUBSET_LABEL = 'apps.kruise.io/subset-name';

export interface SubsetSpec {
  name: string;
  nodeSelectorTerm?: NodeSelectorTerm;
  tolerations?: Toleration[];
  replicas?: number | string;
  minReplicas?: number | string;
  maxReplicas?: number | string;
  patch?: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { nodeSelector?: Record<string, string>; tolerations?: Toleration[]; containers?: unknown[] };
}

export interface WorkloadTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { template?: PodTemplate; [k: string]: unknown };
}

/** The four templates a UnitedDeployment may hold (one of them), with the workload kind each makes. */
export const TEMPLATES = [
  ['deploymentTemplate', 'Deployment'],
  ['cloneSetTemplate', 'CloneSet'],
  ['statefulSetTemplate', 'StatefulSet'],
  ['advancedStatefulSetTemplate', 'StatefulSet'],
] as const;

export interface ScheduleStrategy {
  type?: 'Fixed' | 'Adaptive' | '';
  adaptive?: { rescheduleCriticalSeconds?: number; unschedulableDuration?: number; reserveUnschedulablePods?: boolean };
}

export interface UnitedDeploymentSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: Partial<Record<(typeof TEMPLATES)[number][0], WorkloadTemplate>>;
  topology?: { subsets?: SubsetSpec[]; scheduleStrategy?: ScheduleStrategy };
}

/** The controller's defaults (`DefaultRescheduleCriticalDuration`, `DefaultUnschedulableStatusLastDuration`). */
export const ADAPTIVE_DEFAULTS = { rescheduleCriticalSeconds: 30, unschedulableDuration: 300 } as const;

/**
 * The prefix of a subset's workload name: the controller creates it with `generateName`
 * `<ud>-<subset>-` (`getSubsetPrefix`), or `<ud>-` when that is not a valid name.
 */
export function subsetPrefix(ud: string, subset: string): string {
  const prefix = `${ud}-${subset}-`;
  const valid = prefix.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?-$/.test(prefix);
  return valid ? prefix : `${ud}-`;
}
