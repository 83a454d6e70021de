import type { TierWords } from '../../core/checks/tiers.ts';
import type { Component } from '../../core/component.ts';
import type { NodeType } from '../../core/timeline/format.ts';
import type { DiscoveryContext } from './discovery.ts';
import type { KubeObject } from './objects.ts';
import type { ScenarioOverrides } from './overrides.ts';
import type { ReplayContext } from './replay.ts';
import type { DiscoveredScaler } from './scaler.ts';

/** One tier of a placement: a Deployment whose pods run on one kind of node, at one price. */
export interface Tier {
  /** The Deployment whose pods are this tier's. */
  deployment: string;
  /** The kind's own name for the tier (an ElasticWorkload unit's); absent for the workload's own Deployment. */
  unit?: string;
  min?: number;
  max?: number;
  /** Where its pods run: the ECS pool or the ECI virtual node. */
  node: NodeType;
}

/** A placement resolved for a run. */
export interface ResolvedPlacement {
  /** Its kind, as registered (`PlacementKind.kind`). */
  kind: string;
  /** The object the replay applies, with the scenario's overrides; absent when the scaler scales the workload itself. */
  object?: KubeObject;
  /**
   * Cheapest first: tier 0 is the workload's own Deployment; overflow tiers fill in this order beyond
   * the cheaper tiers' max and drain in reverse.
   */
  tiers: Tier[];
}

/** What discovery found behind the scaler's target. */
export interface PlacementDiscovery {
  /** The placement's own object (an ElasticWorkload); absent when the scaler targets the workload. */
  object?: KubeObject;
  /** What the pods are: the target itself, or the placement's source Deployment. */
  workload: KubeObject;
}

export interface PlacementInput {
  object?: KubeObject;
  workload: KubeObject;
  overrides: ScenarioOverrides;
  /** The scenario file, for messages about its overrides. */
  file: string;
  /** Where the manifests came from, for messages about them. */
  source: string;
  /** The most replicas the scaler asks for. */
  scalerMax: number;
}

/** What the cluster recorder needs of a placement: which Deployments are its tiers, where its total is. */
export interface RecorderView {
  /**
   * The timeline owner of a Deployment's pods: `source` for the cheapest tier, the Deployment's own
   * name for an overflow tier; undefined when the Deployment is not this placement's.
   */
  owner(deployment: string): string | undefined;
  /** The object whose `spec.replicas` is the total the scaler set; absent: the total is the cheapest tier's replicas. */
  resource?: { group: string; version: string; plural: string; kind: string; name: string };
  /**
   * A placement whose tiers are the pods of one workload, told apart pod by pod (a WorkloadSpread's
   * subsets by the subset kruise wrote on the pod, a ResourcePolicy's units by the node the pod is
   * bound to): that Deployment, and a pod's timeline owner from what the pod carries (`source` for
   * the cheapest tier, the tier's name otherwise; undefined while it cannot be told yet — the
   * recorder then records the pod once it can). The recorder counts the split from the pods and
   * takes the total from `resource` or else the Deployment's `spec.replicas`; `owner` stays the
   * view of the tiers' names.
   */
  pods?: { deployment: string; owner(pod: PodFacts): string | undefined };
  /**
   * The tiers' workloads when they are not Deployments: OpenKruise's CloneSets (a UnitedDeployment's
   * `cloneSetTemplate` subsets, a WorkloadSpread's target). Such a workload
   * owns its pods itself (no ReplicaSet between, no pod-template-hash), so the recorder names a
   * pod's workload by its owner reference of this kind and reads the replicas from these objects.
   * Absent: Deployments. The names in `owner` and `pods.deployment` are of this kind.
   */
  workloads?: WorkloadResource;
}

/** A kind of workload as the API serves it (the recorder's informer over it). */
export interface WorkloadResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** OpenKruise's CloneSet: it owns its pods directly and scales in by the pods' deletion cost, as the ReplicaSet controller does. */
export const CLONESET_RESOURCE: WorkloadResource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'clonesets', kind: 'CloneSet' };
/** What the recorder hands a placement about one of its pods. */
export interface PodFacts {
  annotations: Record<string, string>;
  /** Where it is bound; undefined while it waits for a node. */
  nodeType: NodeType | undefined;
}

/** What a tier's pods are doing, for a placement that moves replicas away from a tier whose pods cannot start. */
export interface TierObserved {
  ready: number;
  /** The tier is held at its ready pods (its pods stayed Pending past the critical time, for a while). */
  unschedulable: boolean;
}

/**
 * A placement that reschedules (OpenKruise's Adaptive strategy): a tier whose pods stay Pending past
 * `rescheduleCriticalSeconds` is held at its ready pods for `unschedulableDuration` seconds, and
 * the split takes what the tiers are doing into account.
 */
export interface AdaptiveSplit {
  rescheduleCriticalSeconds: number;
  unschedulableDuration: number;
  split(total: number, observed: readonly TierObserved[]): number[];
}

/**
 * A kind of placement (ElasticWorkload, a plain Deployment, OpenKruise's UnitedDeployment and
 * WorkloadSpread today; ResourcePolicy next): one folder under `kinds/placement/`, registered once in
 * `kinds/registry.ts`. Every part of the system that depends on the kind asks it: discovery, the
 * scenario's overrides, the simulator's split, the replay's components, the recorder's view and
 * the checks' words.
 */
export interface PlacementKind {
  /** Its name, as `ResolvedPlacement.kind`. */
  readonly kind: string;
  /** The `scaleTargetRef` kinds it answers (its own object's kind, or the workload kinds it scales directly). */
  readonly targets: readonly string[];
  /** The objects behind the scaler's target. */
  discover(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery;
  /**
   * A placement that stands beside the scaler's target instead of being it (OpenKruise's
   * WorkloadSpread names the workload in its `targetRef`; ACK's ResourcePolicy selects its pods):
   * its objects when one of them governs the target, else undefined. Discovery asks every kind that has it before the kind registered for
   * the target's kind, so a WorkloadSpread wins over the plain Deployment it spreads.
   */
  beside?(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery | undefined;
  /** The scenario's overrides over the discovered objects; an override the kind has no place for is an error naming the field. */
  resolve(input: PlacementInput): ResolvedPlacement;
  /** The simulator's step: `total` replicas into replicas per tier, in the tiers' order (the controller's own split). */
  split(p: ResolvedPlacement, total: number): number[];
  /** When the placement reschedules away from a tier whose pods cannot start (Adaptive); absent or undefined: `split` is the whole story. */
  adaptive?(p: ResolvedPlacement): AdaptiveSplit | undefined;
  /**
   * Its components start the cluster's scheduler (a kube-scheduler with the kind's plugin): a
   * backend starts the cluster without its own, or refuses the kind when it cannot.
   */
  readonly replacesScheduler?: boolean;
  /** What a replay runs for it beside the cluster (the ElasticWorkload: its CRD and controller). */
  components(p: ResolvedPlacement, ctx: ReplayContext): Component[];
  recorderView(p: ResolvedPlacement): RecorderView;
  /** How the checks' messages name its tiers' pods. */
  readonly words: TierWords;
}
