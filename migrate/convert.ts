import { UserError } from '../core/errors.ts';
import { idOf, namespaceOf, specOf } from '../kinds/model/discovery.ts';
import type { KubeObject } from '../kinds/model/objects.ts';
import type { ElasticUnitSpec, ElasticWorkloadSpec } from '../cluster/elasticworkload/split.ts';

/**
 * What every converter shares: an ElasticWorkload, its source Deployment and the HPA that scales it,
 * turned into a successor placement. Pure: objects in, objects out; a field whose meaning the
 * successor cannot keep is refused with an error naming the file, the object and the field.
 */

/** The successors `ebbflow migrate --to` knows, by their CLI name. */
export const TARGETS = ['uniteddeployment', 'workloadspread', 'resourcepolicy'] as const;
export type Target = (typeof TARGETS)[number];

export interface MigrationInput {
  /** The HPA whose `scaleTargetRef` names the ElasticWorkload. */
  hpa: KubeObject;
  /** The ElasticWorkload (with the scenario's `elasticWorkload:` over it, when a scenario is migrated). */
  ew: KubeObject;
  /** Its `sourceTarget` Deployment: the pods. */
  deployment: KubeObject;
  /** The file an object came from, for messages. */
  fileOf: (o: KubeObject) => string;
}

/** What the overlay does: objects removed (`$patch: delete`), objects added, the HPA's new target. */
export interface Migration {
  target: Target;
  /** The successor's placement kind, as `kinds/registry.ts` would register it. */
  kind: string;
  add: KubeObject[];
  remove: KubeObject[];
  hpaTarget: { apiVersion: string; kind: string; name: string };
  /** What was left behind on purpose, one sentence each (the summary lists them). */
  notCarried: string[];
}

/** Figures of the side-by-side table a converter explains when they differ. */
export type Aspect = 'tiers' | 'scaleDownOrder' | 'reaction' | 'slo' | 'cost';

export interface Converter {
  target: Target;
  kind: string;
  convert(input: MigrationInput): Migration;
  /** Why the successor may behave differently, by figure (the summary's "where they differ and why"). */
  why: Record<Aspect, string>;
}

/** The ACK virtual node's label and taint: every virtual-kubelet node carries `type=virtual-kubelet`. */
export const VIRTUAL_NODE_LABEL = { key: 'type', value: 'virtual-kubelet' } as const;
export const VIRTUAL_NODE_TAINT_KEY = 'virtual-kubelet.io/provider';

/** The term that keeps the ECS tier's pods off the virtual node (what the source Deployment's pods did by not tolerating it). */
export const ECS_TERM = { matchExpressions: [{ key: VIRTUAL_NODE_LABEL.key, operator: 'NotIn', values: [VIRTUAL_NODE_LABEL.value] }] };

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export interface DeploymentShape {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  [k: string]: unknown;
}

/** The pieces every converter reads, and the error naming a field of the ElasticWorkload. */
export function parts(input: MigrationInput) {
  const ew = specOf(input.ew) as unknown as ElasticWorkloadSpec;
  const dep = specOf(input.deployment) as DeploymentShape;
  const at = `${input.fileOf(input.ew)}: ${idOf(input.ew)}`;
  const refuse = (field: string, why: string, fix: string) => new UserError(`${at}: ${field}: ${why}`, fix);
  return { ew, dep, units: ew.elasticUnit ?? [], refuse, name: input.ew.metadata.name, namespace: namespaceOf(input.ew) };
}

/** Metadata of a new object beside the ElasticWorkload: its name and namespace (as written, or none). */
export function metadataFor(input: MigrationInput, labels?: Record<string, string>): KubeObject['metadata'] {
  return {
    name: input.ew.metadata.name,
    ...(input.ew.metadata.namespace ? { namespace: input.ew.metadata.namespace } : {}),
    ...(labels && Object.keys(labels).length ? { labels } : {}),
  };
}

/** `{k: v}` as matchExpressions `k In [v]` (a nodeSelector as a NodeSelectorTerm). */
export function termOf(nodeSelector: Record<string, string>) {
  return { matchExpressions: Object.entries(nodeSelector).map(([key, value]) => ({ key, operator: 'In', values: [value] })) };
}

/** A unit's labels and annotations as a patch of the pod template's metadata (UnitedDeployment and WorkloadSpread subsets). */
export function metadataPatch(u: ElasticUnitSpec): { patch: { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } } } | Record<string, never> {
  if (!u.labels && !u.annotations) return {};
  return { patch: { metadata: { ...(u.labels ? { labels: u.labels } : {}), ...(u.annotations ? { annotations: u.annotations } : {}) } } };
}

/**
 * Refusals every successor shares: a unit's `affinity` (no successor's subset or unit holds one
 * beside its node selection) and a unit's `min` (the ElasticWorkload holds it as a floor even
 * above the total; a UnitedDeployment fills every subset's min first, before ECS is full, and the
 * other two have no min per unit).
 */
export function refuseCommon(input: MigrationInput, kind: string): void {
  const { units, refuse } = parts(input);
  units.forEach((u, i) => {
    if (u.affinity !== undefined) throw refuse(`spec.elasticUnit[${i}].affinity`, `a ${kind} has no place for a unit's own affinity beside its node selection`, 'express it as the unit\'s nodeSelector, or keep the ElasticWorkload');
    if ((u.min ?? 0) > 0) throw refuse(`spec.elasticUnit[${i}].min`, `${u.min}: a floor on an overflow tier has no equivalent in a ${kind} (${kind === 'UnitedDeployment' ? 'its subsets\' minReplicas are filled first, before the ECS subset is full' : 'it has no minimum per subset'})`, 'remove the unit\'s min (the HPA\'s minReplicas is the floor), or keep the ElasticWorkload');
  });
}

/** The HPA's `scaleTargetRef` must name this ElasticWorkload (discovery found it that way; a direct call is checked too). */
export function checkHpaTarget(input: MigrationInput): void {
  const ref = (specOf(input.hpa).scaleTargetRef ?? {}) as { kind?: string; name?: string };
  if (ref.kind !== 'ElasticWorkload' || ref.name !== input.ew.metadata.name) {
    throw new UserError(`${input.fileOf(input.hpa)}: ${idOf(input.hpa)}: spec.scaleTargetRef names ${ref.kind ?? '?'} ${ref.name ?? '?'}, not ${idOf(input.ew)}`, 'migrate converts the ElasticWorkload the HPA scales: point --manifests at the manifests that hold both');
  }
}

/** A unit's tolerations as given, each checked to be an object. */
export const tolerationsOf = (u: ElasticUnitSpec): Toleration[] => (u.tolerations ?? []) as Toleration[];
