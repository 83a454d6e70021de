import type { KubeObject } from '../kinds/model/objects.ts';
import { checkHpaTarget, ECS_TERM, metadataFor, metadataPatch, parts, refuseCommon, termOf, tolerationsOf, type Converter, type MigrationInput, type Migration } from './convert.ts';

const KIND = 'WorkloadSpread';
const API_VERSION = 'apps.kruise.io/v1alpha1';

/**
 * ElasticWorkload → OpenKruise WorkloadSpread: the Deployment stays and the HPA scales it again;
 * the WorkloadSpread (`targetRef` the Deployment) puts its pods into subset `ecs` (kept off the
 * virtual node) up to the source's max and the rest into the units' subsets on the virtual node
 * (nodeSelector as `requiredNodeSelectorTerm`, tolerations, labels and annotations as the subset's
 * patch, max as `maxReplicas`; the last without one takes the rest).
 */
function convert(input: MigrationInput): Migration {
  checkHpaTarget(input);
  refuseCommon(input, KIND);
  const { ew, units, refuse } = parts(input);
  if (ew.sourceTarget.min) throw refuse('spec.sourceTarget.min', `${ew.sourceTarget.min}: a WorkloadSpread has no minimum per subset`, 'remove it (the HPA\'s minReplicas is the floor, and the first pods go to ECS), or keep the ElasticWorkload');
  const subsets = [
    { name: 'ecs', requiredNodeSelectorTerm: ECS_TERM, ...(ew.sourceTarget.max !== undefined ? { maxReplicas: ew.sourceTarget.max } : {}) },
    ...units.map((u) => ({
      name: units.length === 1 ? 'eci' : u.name,
      ...(u.nodeSelector ? { requiredNodeSelectorTerm: termOf(u.nodeSelector) } : {}),
      ...(u.tolerations ? { tolerations: tolerationsOf(u) } : {}),
      ...(u.max !== undefined ? { maxReplicas: u.max } : {}),
      ...metadataPatch(u),
    })),
  ];
  const ws: KubeObject = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: metadataFor(input),
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: input.deployment.metadata.name }, subsets },
  };
  return {
    target: 'workloadspread',
    kind: KIND,
    add: [ws],
    remove: [input.ew],
    hpaTarget: { apiVersion: 'apps/v1', kind: 'Deployment', name: input.deployment.metadata.name },
    notCarried: ['the ElasticWorkload\'s spec.replicas (the HPA sets the Deployment\'s replicas itself)'],
  };
}

export const workloadSpreadConverter: Converter = {
  target: 'workloadspread',
  kind: KIND,
  convert,
  why: {
    tiers: 'a WorkloadSpread splits no replicas: the Deployment scales, and its webhook puts each new pod into the first subset with room (maxReplicas), so the split follows the order pods are created',
    scaleDownOrder: 'a WorkloadSpread deletes by pod-deletion-cost: it marks the later subsets\' pods cheaper to delete and the ReplicaSet honours that as a preference (unready or unscheduled pods still go first)',
    reaction: 'the HPA scales the Deployment directly, without the ElasticWorkload controller\'s hop; beyond that, a few 15 s syncs either way are the replay\'s timing (which sync saw the rise first), not the placement',
    slo: 'the pods are the same and start on the same nodes; coverage follows when the HPA\'s decisions land, so it moves with the reaction',
    cost: 'ECI is billed per pod and ECS per node either way: a different ECI cost means ECI pods ran for a different time',
  },
};
