import type { KubeObject } from '../kinds/model/objects.ts';
import { checkHpaTarget, ECS_TERM, metadataFor, metadataPatch, parts, refuseCommon, termOf, tolerationsOf, type Converter, type MigrationInput, type Migration } from './convert.ts';

const KIND = 'UnitedDeployment';
const API_VERSION = 'apps.kruise.io/v1alpha1';

/** Deployment fields a subset's Deployment keeps from the template (what the ElasticWorkload's units carried too). */
const CARRIED = ['strategy', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'] as const;

/**
 * ElasticWorkload → OpenKruise UnitedDeployment, as ACK's "UnitedDeployment with HPA" example writes
 * it: the source Deployment's spec as `deploymentTemplate`, subset `ecs` (kept off the virtual node,
 * `maxReplicas` the source's max, `minReplicas` its min) then one subset per elastic unit on the
 * virtual node (the unit's nodeSelector as a nodeSelectorTerm, its tolerations, its labels and
 * annotations as the subset's patch, its max); the HPA scales the UnitedDeployment, whose controller
 * creates the subsets' Deployments, so the source Deployment goes.
 */
function convert(input: MigrationInput): Migration {
  checkHpaTarget(input);
  refuseCommon(input, KIND);
  const { ew, dep, units, refuse } = parts(input);
  if (dep.replicas === 0 && ew.replicas === undefined) throw refuse('spec.replicas', 'absent and the Deployment holds 0 replicas', 'give the ElasticWorkload spec.replicas (the HPA sets it once it runs)');
  const podLabels = dep.template?.metadata?.labels ?? {};
  const carried = Object.fromEntries(CARRIED.filter((k) => dep[k] !== undefined).map((k) => [k, dep[k]]));
  const subsets = [
    { name: 'ecs', nodeSelectorTerm: ECS_TERM, ...(ew.sourceTarget.min ? { minReplicas: ew.sourceTarget.min } : {}), ...(ew.sourceTarget.max !== undefined ? { maxReplicas: ew.sourceTarget.max } : {}) },
    ...units.map((u) => ({
      name: units.length === 1 ? 'eci' : u.name,
      ...(u.nodeSelector ? { nodeSelectorTerm: termOf(u.nodeSelector) } : {}),
      ...(u.tolerations ? { tolerations: tolerationsOf(u) } : {}),
      ...(u.max !== undefined ? { maxReplicas: u.max } : {}),
      ...metadataPatch(u),
    })),
  ];
  const ud: KubeObject = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: metadataFor(input, input.deployment.metadata.labels),
    spec: {
      replicas: ew.replicas ?? dep.replicas ?? 1,
      selector: dep.selector,
      template: { deploymentTemplate: { metadata: { labels: podLabels }, spec: { selector: dep.selector, template: dep.template, ...carried } } },
      topology: { subsets },
    },
  };
  return {
    target: 'uniteddeployment',
    kind: KIND,
    add: [ud],
    remove: [input.ew, input.deployment],
    hpaTarget: { apiVersion: API_VERSION, kind: KIND, name: input.ew.metadata.name },
    notCarried: [
      `the Deployment ${input.deployment.metadata.name}'s annotations (the UnitedDeployment creates its own Deployments per subset, named ${input.ew.metadata.name}-<subset>-<random>)`,
      ...(ew.sourceTarget.min ? [`the source min ${ew.sourceTarget.min} becomes subset ecs's minReplicas, which is not a floor above the total as the ElasticWorkload's is`] : []),
    ],
  };
}

export const unitedDeploymentConverter: Converter = {
  target: 'uniteddeployment',
  kind: KIND,
  convert,
  why: {
    tiers: 'the UnitedDeployment allocates the total over its subsets in list order (every minReplicas first, then up to each maxReplicas: allocator.go), the ElasticWorkload its source up to max, then its units',
    scaleDownOrder: 'a smaller total takes replicas from the last subsets first, as the ElasticWorkload drains its units before its source; each subset Deployment then picks its own pods to delete',
    reaction: 'the HPA decides on the same metric either way; OpenKruise\'s manager stands where the ElasticWorkload controller stood (between the HPA\'s scale and the tiers\' Deployments), so a few 15 s syncs either way are the replay\'s timing (which sync saw the rise first), not the placement',
    slo: 'the pods are the same and start on the same nodes; coverage follows when the HPA\'s decisions land, so it moves with the reaction',
    cost: 'ECI is billed per pod and ECS per node either way: a different ECI cost means ECI pods ran for a different time',
  },
};
