import { nodePoolsSchema } from '../../../cluster/nodes/config.ts';
import { allNodes, NODE_TYPE_LABEL } from '../../../cluster/nodes/objects.ts';
import { UserError } from '../../../core/errors.ts';
import type { NodeType } from '../../../core/timeline/format.ts';
import { idOf, specOf } from '../../model/discovery.ts';
import { nodeTypeOf } from '../../model/nodes.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { PlacementInput, ResolvedPlacement, Tier } from '../../model/placement.ts';
import { maxOf, parseMaxReplicas, spread, type SubsetMax } from './spread.ts';
import { KIND, preferredOf, requiredOf, UNSCHEDULABLE_SECONDS, type SubsetSpec, type WorkloadSpreadSpec } from './spec.ts';

/** A scenario's `elasticWorkload:` has no place on a WorkloadSpread: refused, naming the field. */
function refuseOverrides({ overrides: s, source, workload }: PlacementInput): void {
  const o = s.elasticWorkload ?? {};
  const set = (Object.keys(o) as (keyof typeof o)[]).filter((k) => o[k] !== undefined);
  if (set.length) {
    throw new UserError(`${s.file ?? 'scenario'}: elasticWorkload.${set[0]}: the manifests (${source}) have no ElasticWorkload — a WorkloadSpread places the pods of ${idOf(workload)}`, 'remove elasticWorkload from the scenario; change the subsets\' maxReplicas in the manifests (a kustomize patch)');
  }
}

interface PodTemplateSpec {
  nodeSelector?: Record<string, string>;
  tolerations?: NonNullable<SubsetSpec['tolerations']>;
}

/** Which kind of node a subset's pods land on: its required term and tolerations, with the pod template's (the webhook appends them). */
function subsetNode(s: SubsetSpec, pod: PodTemplateSpec, nodes: ReturnType<typeof allNodes>, field: string): NodeType {
  const term = requiredOf(s);
  const placement = { ...(term ? { term } : {}), ...(pod.nodeSelector ? { nodeSelector: pod.nodeSelector } : {}), tolerations: [...(pod.tolerations ?? []), ...(s.tolerations ?? [])] };
  let type;
  try {
    type = nodeTypeOf(placement, nodes, (n) => n.metadata?.labels?.[NODE_TYPE_LABEL] as NodeType | undefined);
  } catch (e) {
    throw new UserError(`${field}.requiredNodeSelectorTerm: ${(e as Error).message}`);
  }
  if (typeof type === 'string') return type;
  const hint = 'select the ECS pool by its label (the scenario\'s nodes.ecs[].labels) or the virtual node (type: virtual-kubelet, with a toleration of virtual-kubelet.io/provider) in requiredNodeSelectorTerm';
  if (!type.fitting.length) throw new UserError(`${field}: no node of the run fits its pods (requiredNodeSelectorTerm, tolerations and the template's nodeSelector)`, hint);
  if (!term && preferredOf(s)?.length) throw new UserError(`${field}.preferredNodeSelectorTerms: a preference alone is not modelled (its pods fit both ECS and the virtual node: ${type.fitting.join(', ')}; the scheduler's scores decide)`, hint);
  throw new UserError(`${field}: its pods fit both ECS and the virtual node (${type.fitting.join(', ')}), so where they run is the scheduler's choice`, hint);
}

/** A subset's `patch` may carry labels and annotations; a pod spec of its own would change the pods' requests or placement. */
function checkPatch(s: SubsetSpec, field: string): void {
  const extra = Object.keys(s.patch ?? {}).filter((k) => k !== 'metadata');
  if (extra.length) throw new UserError(`${field}.patch.${extra[0]}: a per-subset pod ${extra[0]} is not modelled (the pods' requests and placement are the workload's and the subset's selectors)`, 'keep labels and annotations in the patch (metadata), or simulate the subsets as one workload each');
}

/**
 * The subsets as tiers, in list order (the webhook's fill order and the reverse of the deletion
 * cost's): one subset on the ECS pools first, then subsets on the virtual node. A tier's name is
 * `<workload>-<subset>` (one workload holds every tier's pods; the recorder tells them apart by the
 * subset the webhook wrote on each pod). A percentage `maxReplicas` is held as the most it can be
 * (at the scaler's max) in `max`; the split computes it from each total.
 */
export function tiersOf(ws: KubeObject, input: Pick<PlacementInput, 'overrides' | 'workload' | 'scalerMax'>, file: string): Tier[] {
  const spec = specOf(ws) as WorkloadSpreadSpec;
  const at = `${file}: ${idOf(ws)}: spec`;
  const subsets = spec.subsets ?? [];
  if (spec.targetFilter !== undefined) throw new UserError(`${at}.targetFilter: not modelled (every pod of the workload is spread)`, 'remove targetFilter, or simulate without it');
  const pod = ((specOf(input.workload).template as { spec?: PodTemplateSpec } | undefined)?.spec) ?? {};
  const nodes = allNodes(structuredClone(input.overrides.nodes ?? nodePoolsSchema.parse({})));
  const maxes: SubsetMax[] = [];
  const tiers = subsets.map((s, i): Tier => {
    const field = `${at}.subsets[${i}]`;
    checkPatch(s, field);
    let max: SubsetMax;
    try {
      max = parseMaxReplicas(s.maxReplicas);
    } catch (e) {
      throw new UserError(`${field}.maxReplicas: ${(e as Error).message}`);
    }
    maxes.push(max);
    const bound = maxOf(max, input.scalerMax);
    return { deployment: `${input.workload.metadata.name}-${s.name}`, unit: s.name, ...(bound !== undefined ? { max: bound } : {}), node: subsetNode(s, pod, nodes, field) };
  });
  const kinds = new Set(maxes.filter((m) => m !== undefined).map((m) => typeof m));
  if (kinds.size > 1) throw new UserError(`${at}.subsets: some maxReplicas are numbers and some percentages`, 'give every subset\'s maxReplicas the same type (kruise refuses a mix)');
  const order = tiers.map((t) => t.node).join(', ');
  if (tiers[0]?.node !== 'ecs' || tiers.slice(1).some((t) => t.node !== 'eci')) {
    throw new UserError(`${at}.subsets: they run on ${order}; ebbflow models one ECS subset first, then subsets on the virtual node`, 'list the ECS subset first (the webhook fills subsets in list order and scale-in drains the last first: cheapest first)');
  }
  const last = maxes.at(-1);
  if (last !== undefined && (spread(input.scalerMax, maxes).reduce((a, b) => a + b, 0) < input.scalerMax)) {
    throw new UserError(`${at}.subsets[${subsets.length - 1}].maxReplicas: every subset has a max and together they hold fewer than the HPA's ${input.scalerMax}; kruise's webhook leaves the pods beyond them unplaced (the scheduler's choice)`, 'leave the last subset (the ECI one) without maxReplicas: it takes the rest');
  }
  return tiers;
}

/** The resolved placement, with the labels of the workload's pods (the pod webhooks are scoped to them in a replay). */
export interface ResolvedSpread extends ResolvedPlacement {
  podLabels: Record<string, string>;
}

export function resolveWorkloadSpread(input: PlacementInput): ResolvedSpread {
  refuseOverrides(input);
  const object = structuredClone(input.object!);
  const selector = (specOf(input.workload).selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
  return { kind: KIND, object, tiers: tiersOf(object, input, input.source), podLabels: { ...selector } };
}

/** Each subset's max as the split reads it: a tier's `max` (a sweep changes it in place), or the subset's percentage. */
export function maxesOf(p: ResolvedPlacement): SubsetMax[] {
  const subsets = p.object ? ((specOf(p.object) as WorkloadSpreadSpec).subsets ?? []) : [];
  return p.tiers.map((t, i) => {
    const m = subsets[i]?.maxReplicas;
    return typeof m === 'string' ? parseMaxReplicas(m) : t.max;
  });
}

export function splitWorkloadSpread(p: ResolvedPlacement, total: number): number[] {
  return spread(total, maxesOf(p));
}

/**
 * The Adaptive strategy as the controller runs it: only with `rescheduleCriticalSeconds` above 0
 * (without it the controller never reschedules), and a subset stays unschedulable for the fixed
 * `MaxScheduledFailedDuration`.
 */
export function adaptiveOf(p: ResolvedPlacement): { rescheduleCriticalSeconds: number; unschedulableDuration: number } | undefined {
  const s = (p.object ? (specOf(p.object) as WorkloadSpreadSpec) : {}).scheduleStrategy;
  const critical = s?.adaptive?.rescheduleCriticalSeconds ?? 0;
  if (s?.type !== 'Adaptive' || !(critical > 0)) return undefined;
  return { rescheduleCriticalSeconds: critical, unschedulableDuration: UNSCHEDULABLE_SECONDS };
}
