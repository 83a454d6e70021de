import { UserError } from '../../../core/errors.ts';
import { specOf } from '../../model/discovery.ts';
import { CLONESET_RESOURCE, type PlacementKind, type PodFacts, type ResolvedPlacement } from '../../model/placement.ts';
import { SpreadComponent } from './controller.ts';
import { discoverWorkloadSpread, workloadSpreadBeside } from './discover.ts';
import { adaptiveOf, maxesOf, resolveWorkloadSpread, splitWorkloadSpread, type ResolvedSpread } from './resolve.ts';
import { KIND, matchedSubset, type WorkloadSpreadSpec } from './spec.ts';
import { spreadAdaptive } from './spread.ts';

/** The workload the WorkloadSpread names (its pods are every tier's). */
const workloadOf = (p: ResolvedPlacement) => (p.object ? (specOf(p.object) as WorkloadSpreadSpec).targetRef : undefined);

/**
 * A pod's timeline owner: the subset kruise's webhook wrote on it, else (a pod from before the
 * WorkloadSpread, which the controller matches by its node) the first tier on the node it is bound
 * to; the cheapest tier is `source`, the others are named by their tier.
 */
function podOwner(p: ResolvedPlacement): (pod: PodFacts) => string {
  const ws = p.object?.metadata.name ?? '';
  const name = (i: number) => (i === 0 ? 'source' : p.tiers[i]!.deployment);
  return (pod) => {
    const subset = matchedSubset(pod.annotations, ws);
    const i = subset === undefined ? -1 : p.tiers.findIndex((t) => t.unit === subset);
    if (i >= 0) return name(i);
    const onNode = pod.nodeType ? p.tiers.findIndex((t) => t.node === pod.nodeType) : -1;
    return name(Math.max(0, onNode));
  };
}

/**
 * OpenKruise's WorkloadSpread (apps.kruise.io): the HPA scales the workload it names (a Deployment,
 * a ReplicaSet or a CloneSet); kruise's pod webhook puts each new pod in the first subset, in list
 * order, below its maxReplicas (its node affinity, tolerations and patch), and the controller's
 * deletion cost makes scale-in take the last subsets first. Tiers: the ECS subset, then the
 * subsets on the virtual node; a replay's recorder tells them apart by the subset on each pod.
 */
export const workloadSpread: PlacementKind = {
  kind: KIND,
  targets: [KIND],
  beside: workloadSpreadBeside,
  discover: discoverWorkloadSpread,
  resolve: resolveWorkloadSpread,
  split: splitWorkloadSpread,
  adaptive(p) {
    const a = adaptiveOf(p);
    return a && { ...a, split: (total, observed) => spreadAdaptive(total, maxesOf(p), observed) };
  },
  components: (p, ctx) => {
    const kind = workloadOf(p)?.kind;
    if (kind === 'ReplicaSet') throw new UserError(`${p.object?.metadata.name}: spec.targetRef: a WorkloadSpread on a bare ReplicaSet does not replay: kruise v1.9.0 takes its pods (no pod-template-hash label) for an old version and reverses the deletion cost, so scale-in drains the ECS subset first, unlike the simulator`, 'let a Deployment (or a CloneSet) own the pods and name it in spec.targetRef, or simulate it');
    if (kind !== 'Deployment' && kind !== 'CloneSet') throw new UserError(`${p.object?.metadata.name}: spec.targetRef: a WorkloadSpread on a ${kind} replays not yet`, 'replay a WorkloadSpread on a Deployment or a CloneSet, or simulate it');
    return [new SpreadComponent(ctx, podLabelsOf(p), kind === 'CloneSet')];
  },
  recorderView(p) {
    const names = new Map(p.tiers.map((t, i) => [t.deployment, i === 0 ? 'source' : t.deployment]));
    return {
      owner: (d) => names.get(d),
      pods: { deployment: workloadOf(p)?.name ?? p.tiers[0]!.deployment, owner: podOwner(p) },
      // A CloneSet owns its pods directly (no ReplicaSet between): the recorder reads them by it.
      ...(workloadOf(p)?.kind === 'CloneSet' ? { workloads: CLONESET_RESOURCE } : {}),
    };
  },
  words: { cheapest: 'ECS subset', overflow: 'ECI subset' },
};

/** The labels that pick the workload's pods (resolve keeps them), for the pod webhooks' objectSelector. */
function podLabelsOf(p: ResolvedPlacement): Record<string, string> {
  const labels = (p as Partial<ResolvedSpread>).podLabels;
  if (!labels || !Object.keys(labels).length) throw new UserError(`${p.object?.metadata.name}: the workload it names has no selector.matchLabels`, 'give the workload a selector with matchLabels: kruise\'s pod webhook is scoped to those pods');
  return labels;
}

export { spread, spreadAdaptive, parseMaxReplicas } from './spread.ts';
export { tiersOf } from './resolve.ts';
export { DELETION_COST_ANNOTATION, KIND, MATCHED_ANNOTATION, matchedSubset } from './spec.ts';
