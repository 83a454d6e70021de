import { nodePoolsSchema } from '../../../cluster/nodes/config.ts';
import { allNodes, NODE_TYPE_LABEL } from '../../../cluster/nodes/objects.ts';
import { UserError } from '../../../core/errors.ts';
import type { NodeType } from '../../../core/timeline/format.ts';
import { idOf, specOf } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { PlacementInput, ResolvedPlacement, Tier } from '../../model/placement.ts';
import { allocateMinMax } from './allocate.ts';
import { nodeTypeOf } from '../../model/nodes.ts';
import { ADAPTIVE_DEFAULTS, KIND, TEMPLATES, type SubsetSpec, type UnitedDeploymentSpec } from './spec.ts';

/** A scenario's `elasticWorkload:` has no place on a UnitedDeployment: refused, naming the field. */
function refuseOverrides({ overrides: s, source, object }: PlacementInput): void {
  const o = s.elasticWorkload ?? {};
  const set = (Object.keys(o) as (keyof typeof o)[]).filter((k) => o[k] !== undefined);
  if (set.length) {
    throw new UserError(`${s.file ?? 'scenario'}: elasticWorkload.${set[0]}: the manifests (${source}) have no ElasticWorkload — the HPA scales ${idOf(object!)}`, 'remove elasticWorkload from the scenario; change the subsets\' minReplicas/maxReplicas in the manifests (a kustomize patch)');
  }
}

/** A subset's min or max as a number; a percentage (of spec.replicas, which the HPA keeps changing) is not modelled yet. */
function bound(v: number | string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+%$/.test(v)) throw new UserError(`${field}: "${v}": a percentage of the replicas is not modelled yet`, 'give the subset a number of replicas');
  throw new UserError(`${field}: must be a non-negative integer, got ${JSON.stringify(v)}`);
}

/** The ECS pools and the virtual node of the run, as node objects, for the subsets' selectors. */
function runNodes(input: PlacementInput) {
  return allNodes(structuredClone(input.overrides.nodes ?? nodePoolsSchema.parse({})));
}

/** Which kind of node a subset's pods land on: its term and tolerations with the pod template's. */
function subsetNode(s: SubsetSpec, spec: UnitedDeploymentSpec, nodes: ReturnType<typeof runNodes>, field: string): NodeType {
  const pod = TEMPLATES.map(([f]) => spec.template?.[f]).find((t) => t)?.spec?.template?.spec ?? {};
  const placement = { ...(s.nodeSelectorTerm ? { term: s.nodeSelectorTerm } : {}), ...(pod.nodeSelector ? { nodeSelector: pod.nodeSelector } : {}), tolerations: [...(pod.tolerations ?? []), ...(s.tolerations ?? [])] };
  let type;
  try {
    type = nodeTypeOf(placement, nodes, (n) => n.metadata?.labels?.[NODE_TYPE_LABEL] as NodeType | undefined);
  } catch (e) {
    throw new UserError(`${field}.nodeSelectorTerm: ${(e as Error).message}`);
  }
  if (typeof type === 'string') return type;
  const hint = 'select the ECS pool by its label (the scenario\'s nodes.ecs[].labels) or the virtual node (type: virtual-kubelet, with a toleration of virtual-kubelet.io/provider)';
  if (!type.fitting.length) throw new UserError(`${field}: no node of the run fits its pods (nodeSelectorTerm, tolerations and the template's nodeSelector)`, hint);
  throw new UserError(`${field}: its pods fit both ECS and the virtual node (${type.fitting.join(', ')}), so where they run is the scheduler's choice`, hint);
}

/**
 * The subsets as tiers, in list order (the allocator's fill order): one subset on the ECS pools
 * first, then subsets on the virtual node. What the model does not hold is refused, naming the
 * field: per-subset `replicas` (the even spread of `specificAllocator`, which follows the current
 * replicas), no min/max at all under `Fixed` (the same), reserved Adaptive, percentages, an ECI
 * subset before the ECS one or a second ECS subset (the checks and the simulator know one ECS tier).
 */
export function tiersOf(ud: KubeObject, input: Pick<PlacementInput, 'overrides'>, file: string): Tier[] {
  const spec = specOf(ud) as UnitedDeploymentSpec;
  const at = `${file}: ${idOf(ud)}: spec.topology`;
  const subsets = spec.topology?.subsets ?? [];
  const strategy = spec.topology?.scheduleStrategy;
  if (strategy?.adaptive?.reserveUnschedulablePods) throw new UserError(`${at}.scheduleStrategy.adaptive.reserveUnschedulablePods: not modelled yet`, 'leave it false (the default Adaptive strategy moves unschedulable replicas instead)');
  const bounded = subsets.some((s) => s.minReplicas !== undefined || s.maxReplicas !== undefined);
  if (strategy?.type !== 'Adaptive' && !bounded) throw new UserError(`${at}.subsets: no subset has minReplicas or maxReplicas, so the controller spreads the replicas evenly (not an order by cost)`, 'give the ECS subset a maxReplicas: it fills first and the next subsets take the overflow');
  const nodes = runNodes(input as PlacementInput);
  const tiers = subsets.map((s, i): Tier => {
    const field = `${at}.subsets[${i}]`;
    if (s.replicas !== undefined) throw new UserError(`${field}.replicas: a fixed share per subset is not modelled`, 'give minReplicas/maxReplicas instead');
    const min = bound(s.minReplicas, `${field}.minReplicas`);
    const max = bound(s.maxReplicas, `${field}.maxReplicas`);
    if (min !== undefined && max !== undefined && min > max) throw new UserError(`${field}: minReplicas ${min} is above maxReplicas ${max}`);
    return { deployment: `${ud.metadata.name}-${s.name}`, unit: s.name, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), node: subsetNode(s, spec, nodes, field) };
  });
  const order = tiers.map((t) => t.node).join(', ');
  if (tiers[0]?.node !== 'ecs' || tiers.slice(1).some((t) => t.node !== 'eci')) {
    throw new UserError(`${at}.subsets: they run on ${order}; ebbflow models one ECS subset first, then subsets on the virtual node`, 'list the ECS subset first (the controller fills subsets in list order: cheapest first)');
  }
  return tiers;
}

export function resolveUnitedDeployment(input: PlacementInput): ResolvedPlacement {
  refuseOverrides(input);
  const object = structuredClone(input.object!);
  return { kind: KIND, object, tiers: tiersOf(object, input, input.source) };
}

/** The schedule strategy's timeouts when it is Adaptive (defaults filled), else undefined. */
export function adaptiveOf(p: ResolvedPlacement): { rescheduleCriticalSeconds: number; unschedulableDuration: number } | undefined {
  const s = (p.object ? (specOf(p.object) as UnitedDeploymentSpec) : {}).topology?.scheduleStrategy;
  if (s?.type !== 'Adaptive') return undefined;
  return {
    rescheduleCriticalSeconds: s.adaptive?.rescheduleCriticalSeconds ?? ADAPTIVE_DEFAULTS.rescheduleCriticalSeconds,
    unschedulableDuration: s.adaptive?.unschedulableDuration ?? ADAPTIVE_DEFAULTS.unschedulableDuration,
  };
}

/** The controller's allocation over the tiers (read at each call: a sweep changes a tier's max in place). */
export function splitUnitedDeployment(p: ResolvedPlacement, total: number): number[] {
  return allocateMinMax(total, p.tiers);
}
