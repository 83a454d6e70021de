/**
 * ACK's ResourcePolicy (`scheduling.alibabacloud.com/v1alpha1`) as data, and the pure rules the
 * deletion-cost controller and the placement kind share with the scheduler plugin
 * (`scheduler/policy.go`): which pods a policy selects and which unit a node belongs to.
 */

export const RP_GROUP = 'scheduling.alibabacloud.com';
export const RP_VERSION = 'v1alpha1';
export const RP_PLURAL = 'resourcepolicies';
export const RP_KIND = 'ResourcePolicy';
export const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
/** ACK's virtual-kubelet node label: units of resource `eci` (and `acs`) are the virtual nodes. */
export const VIRTUAL_NODE_LABEL = { key: 'type', value: 'virtual-kubelet' } as const;

export type UnitResource = 'ecs' | 'eci' | 'acs';

export interface ResourcePolicyUnit {
  resource: UnitResource;
  nodeSelector?: Record<string, string>;
  max?: number;
  maxResources?: Record<string, string>;
  podLabels?: Record<string, string>;
  podAnnotations?: Record<string, string>;
}

export interface ResourcePolicySpec {
  selector?: Record<string, string>;
  strategy?: 'prefer' | 'required';
  units?: ResourcePolicyUnit[];
  preemptPolicy?: 'BeforeNextUnit' | 'AfterAllUnits';
  whenTryNextUnits?: { policy?: string; timeout?: string };
  ignorePreviousPod?: boolean;
  ignoreTerminatingPod?: boolean;
  matchLabelKeys?: string[];
}

const matches = (sel: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  Object.entries(sel ?? {}).every(([k, v]) => labels?.[k] === v);

/** The policy governs pods of its namespace carrying every selector label (an empty selector selects none). */
export function selectsLabels(spec: ResourcePolicySpec, labels: Record<string, string> | undefined): boolean {
  return Object.keys(spec.selector ?? {}).length > 0 && matches(spec.selector, labels);
}

/** The first unit a node belongs to (its kind of node and nodeSelector), or `units.length` outside every unit. */
export function unitOfNode(spec: ResourcePolicySpec, nodeLabels: Record<string, string> | undefined): number {
  const units = spec.units ?? [];
  const virtual = nodeLabels?.[VIRTUAL_NODE_LABEL.key] === VIRTUAL_NODE_LABEL.value;
  const i = units.findIndex((u) => (u.resource === 'eci' || u.resource === 'acs') === virtual && matches(u.nodeSelector, nodeLabels));
  return i < 0 ? units.length : i;
}

/**
 * The pod-deletion-cost of a pod in unit `i`: later units cost less, so the ReplicaSet controller
 * removes their pods first (scale-in in reverse unit order); a pod outside every unit costs least.
 */
export function deletionCost(spec: ResourcePolicySpec, unit: number): string {
  return String(((spec.units?.length ?? 0) - unit) * 100);
}
