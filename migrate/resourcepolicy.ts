import type { KubeObject } from '../kinds/model/objects.ts';
import { checkHpaTarget, metadataFor, parts, refuseCommon, tolerationsOf, VIRTUAL_NODE_LABEL, VIRTUAL_NODE_TAINT_KEY, type Converter, type MigrationInput, type Migration } from './convert.ts';

const KIND = 'ResourcePolicy';
const API_VERSION = 'scheduling.alibabacloud.com/v1alpha1';

/**
 * ElasticWorkload → ACK's ResourcePolicy (its scheduler's custom priority scheduling): the
 * Deployment stays and the HPA scales it again; the policy selects the Deployment's pods by their
 * labels and places them in unit order — `ecs` up to the source's max, then one `eci` unit per
 * elastic unit (its max, its labels and annotations as podLabels/podAnnotations). The scheduler puts
 * an `eci` unit's pods on the virtual node itself and tolerates its taint for them without changing
 * the pod spec (ACK, doc 398680, `units[].resource`), so the units' `type: virtual-kubelet` selector
 * and their toleration are its own: dropped, and not added to the Deployment's template. Anything
 * else a unit selects or tolerates has no place in a unit and is refused.
 */
function convert(input: MigrationInput): Migration {
  checkHpaTarget(input);
  refuseCommon(input, KIND);
  const { ew, dep, units, refuse } = parts(input);
  if (ew.sourceTarget.min) throw refuse('spec.sourceTarget.min', `${ew.sourceTarget.min}: a ResourcePolicy has no minimum per unit`, 'remove it (the HPA\'s minReplicas is the floor, and the first pods go to ECS), or keep the ElasticWorkload');
  if (dep.selector?.matchExpressions?.length) {
    throw refuse('spec.sourceTarget', `Deployment ${input.deployment.metadata.name}'s spec.selector.matchExpressions: a ResourcePolicy selects pods by labels only`, 'select the Deployment\'s pods by matchLabels');
  }
  const eciUnits = units.map((u, i) => {
    const extra = Object.entries(u.nodeSelector ?? {}).find(([k, v]) => k !== VIRTUAL_NODE_LABEL.key || v !== VIRTUAL_NODE_LABEL.value);
    if (extra) throw refuse(`spec.elasticUnit[${i}].nodeSelector.${extra[0]}`, 'a ResourcePolicy\'s eci unit places pods on the virtual node by itself and selects nothing more', 'remove it from the unit, or keep the ElasticWorkload');
    const other = tolerationsOf(u).findIndex((t) => t.key !== VIRTUAL_NODE_TAINT_KEY);
    if (other >= 0) throw refuse(`spec.elasticUnit[${i}].tolerations[${other}]`, 'a ResourcePolicy\'s unit holds no tolerations (only the virtual node\'s taint is tolerated for an eci unit, by the scheduler)', 'remove it from the unit, or keep the ElasticWorkload');
    return { resource: 'eci', ...(u.max !== undefined ? { max: u.max } : {}), ...(u.labels ? { podLabels: u.labels } : {}), ...(u.annotations ? { podAnnotations: u.annotations } : {}) };
  });
  const nodeSelector = dep.template?.spec?.nodeSelector as Record<string, string> | undefined;
  const policy: KubeObject = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: metadataFor(input),
    spec: {
      selector: { ...dep.selector?.matchLabels },
      strategy: 'prefer',
      units: [{ resource: 'ecs', ...(nodeSelector ? { nodeSelector } : {}), ...(ew.sourceTarget.max !== undefined ? { max: ew.sourceTarget.max } : {}) }, ...eciUnits],
    },
  };
  return {
    target: 'resourcepolicy',
    kind: KIND,
    add: [policy],
    remove: [input.ew],
    hpaTarget: { apiVersion: 'apps/v1', kind: 'Deployment', name: input.deployment.metadata.name },
    notCarried: ['the units\' virtual-kubelet nodeSelector and toleration (an eci unit places its pods on the virtual node, and ACK\'s scheduler tolerates its taint for them: the Deployment\'s template needs no toleration)', 'the ElasticWorkload\'s spec.replicas (the HPA sets the Deployment\'s replicas itself)'],
  };
}

export const resourcePolicyConverter: Converter = {
  target: 'resourcepolicy',
  kind: KIND,
  convert,
  why: {
    tiers: 'a ResourcePolicy splits no replicas: the Deployment scales, and ACK\'s scheduler puts each new pod into the first unit with room (max), so the split follows the order pods are scheduled',
    scaleDownOrder: 'a ResourcePolicy\'s scale-in order (the last unit first) is best effort: the ReplicaSet chooses which pods to delete, the policy only ranks them, and unready or younger pods may go first',
    reaction: 'the HPA scales the Deployment directly, without the ElasticWorkload controller\'s hop, and the scheduler picks the unit as it binds each pod; beyond that, a few 15 s syncs either way are the replay\'s timing (which sync saw the rise first), not the placement',
    slo: 'the pods are the same and start on the same nodes; coverage follows when the HPA\'s decisions land, so it moves with the reaction',
    cost: 'ECI is billed per pod and ECS per node either way: a different ECI cost means ECI pods ran for a different time',
  },
};
