import { nodePoolsSchema } from '../../../cluster/nodes/config.ts';
import { allNodes } from '../../../cluster/nodes/objects.ts';
import { RP_KIND, unitOfNode, type ResourcePolicySpec, type ResourcePolicyUnit } from '../../../cluster/resourcepolicy/spec.ts';
import { UserError } from '../../../core/errors.ts';
import { parseQuantity } from '../../../core/units.ts';
import { idOf, specOf } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { PlacementInput, ResolvedPlacement, Tier } from '../../model/placement.ts';

const POLICIES = ['LackResourceOrExceedMax', 'ExceedMax', 'TimeoutOrExceedMax', 'LackResourceAndNoTerminating'];
/**
 * Accepted and passed to the scheduler; the split does not depend on it: preemption needs pods of
 * lower priority than the workload's in a unit, and a replay's cluster runs none (only the workload, and system pods of higher priority).
 */
const PREEMPT_POLICIES = ['BeforeNextUnit', 'AfterAllUnits'];

/** The owner the timeline gives the pods of a ResourcePolicy's Deployment on the virtual node. */
export const eciOwner = (deployment: string) => `${deployment}-eci`;

interface PodSpecLike {
  containers?: { resources?: { requests?: Record<string, string | number> } }[];
}
const podSpecOf = (d: KubeObject) => ((d.spec as { template?: { spec?: PodSpecLike } } | undefined)?.template?.spec ?? {});

/** A scenario's `elasticWorkload:` has no place on a ResourcePolicy: refused, naming the field. */
function refuseOverrides({ overrides: s, source, object }: PlacementInput): void {
  const o = s.elasticWorkload ?? {};
  const set = (Object.keys(o) as (keyof typeof o)[]).filter((k) => o[k] !== undefined);
  if (set.length) {
    throw new UserError(`${s.file ?? 'scenario'}: elasticWorkload.${set[0]}: the manifests (${source}) have no ElasticWorkload — ${idOf(object!)} places the pods`, 'remove elasticWorkload from the scenario; change the units\' max in the manifests (a kustomize patch)');
  }
}

/** Pods of the workload that fit in a unit's maxResources (each resource's limit over the pod's summed requests). */
function podsWithin(max: Record<string, string>, workload: KubeObject, field: string): number {
  let fit = Infinity;
  for (const [r, limit] of Object.entries(max)) {
    const per = (podSpecOf(workload).containers ?? []).reduce((a, c) => a + parseQuantity(c.resources?.requests?.[r] ?? 0), 0);
    if (per <= 0) throw new UserError(`${field}.maxResources.${r}: the pods request no ${r}, so the limit never binds`, `give the containers a ${r} request, or drop ${r} from maxResources`);
    fit = Math.min(fit, Math.floor(parseQuantity(limit) / per + 1e-9));
  }
  return fit;
}

/** The unit's max in pods: `max`, and `maxResources` turned into pods at the workload's requests. */
function unitMax(u: ResourcePolicyUnit, workload: KubeObject, field: string): number | undefined {
  const byResources = u.maxResources ? podsWithin(u.maxResources, workload, field) : Infinity;
  const m = Math.min(u.max ?? Infinity, byResources);
  return Number.isFinite(m) ? m : undefined;
}

/**
 * The units as tiers, in list order (the scheduler's fill order): one ECS unit, then units on the
 * virtual node. Each unit's nodeSelector is evaluated against the run's nodes. What the model does
 * not hold is refused, naming the field: an ECS unit without max or maxResources (it would fill
 * until the pool lacks room, which the simulator does not model), an ECI unit first or a second
 * ECS unit, `acs`, a max on the last unit (the rest would stay Pending). The pods need no
 * toleration of the virtual node for an eci unit: ACK's scheduler adds it for the unit's pods
 * without changing their spec, and ours does the same (cluster/resourcepolicy/README.md).
 */
export function tiersOf(rp: KubeObject, input: Pick<PlacementInput, 'overrides' | 'workload'>, file: string): Tier[] {
  const spec = specOf(rp) as ResourcePolicySpec;
  const at = `${file}: ${idOf(rp)}: spec`;
  const units = spec.units ?? [];
  const policy = spec.whenTryNextUnits?.policy;
  if (policy !== undefined && !POLICIES.includes(policy)) throw new UserError(`${at}.whenTryNextUnits.policy: "${policy}" is not one of ${POLICIES.join(', ')}`);
  const preempt = spec.preemptPolicy as string | undefined;
  if (preempt !== undefined && !PREEMPT_POLICIES.includes(preempt)) throw new UserError(`${at}.preemptPolicy: "${preempt}" is not one of ${PREEMPT_POLICIES.join(', ')}`, 'leave it out for ACK\'s default, AfterAllUnits');
  if (units.length < 2) throw new UserError(`${at}.units: ${units.length} unit(s); ebbflow models an ECS unit and then the virtual node`, 'list an ecs unit with a max, then an eci unit');
  const nodes = allNodes(structuredClone(input.overrides.nodes ?? nodePoolsSchema.parse({})));
  const dep = input.workload.metadata.name;
  return units.map((u, i): Tier => {
    const field = `${at}.units[${i}]`;
    const want = i === 0 ? 'ecs' : 'eci';
    if (u.resource !== want) throw new UserError(`${field}.resource: ${u.resource}; ebbflow models one ecs unit first, then eci units`, u.resource === 'acs' ? 'ACS compute classes are not modelled: use eci' : 'list the ECS unit first (the scheduler fills units in list order: cheapest first)');
    if (!nodes.some((n) => unitOfNode(spec, n.metadata?.labels) === i)) throw new UserError(`${field}.nodeSelector: no node of the run is in this unit (${JSON.stringify(u.nodeSelector ?? {})} on ${want === 'ecs' ? 'an ECS pool' : 'the virtual node'})`, 'select the ECS pool by its label (the scenario\'s nodes.ecs[].labels), or leave the eci unit without nodeSelector');
    const max = unitMax(u, input.workload, field);
    if (i === 0 && max === undefined) throw new UserError(`${field}.max: the ECS unit has neither max nor maxResources, so it fills until the pool lacks room — not modelled`, 'give the ECS unit a max (ACK: scheduler 5.0 or later, cluster 1.22 or later)');
    if (i === units.length - 1 && i > 0 && max !== undefined) throw new UserError(`${field}.max: the last unit has a max, so replicas beyond it stay Pending — not modelled`, 'leave the last (eci) unit without max');
    return { deployment: i === 0 ? dep : i === 1 ? eciOwner(dep) : `${eciOwner(dep)}-${i}`, unit: `units[${i}]`, min: 0, ...(max !== undefined ? { max } : {}), node: want };
  });
}

export function resolveResourcePolicy(input: PlacementInput): ResolvedPlacement {
  refuseOverrides(input);
  const object = structuredClone(input.object!);
  return { kind: RP_KIND, object, tiers: tiersOf(object, input, input.source) };
}

/**
 * Units filled in list order up to each max, the last taking the rest; scale-in is the same fill of
 * a smaller total, so the last unit loses replicas first. Read at each call: a sweep's `sourceMax`
 * changes tier 0's max in place.
 */
export function splitResourcePolicy(p: ResolvedPlacement, total: number): number[] {
  let left = total;
  return p.tiers.map((t, i) => {
    const n = i === p.tiers.length - 1 ? left : Math.min(left, t.max ?? Infinity);
    left -= n;
    return n;
  });
}
