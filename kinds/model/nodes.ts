import type { V1Node } from '@kubernetes/client-node';
import type { NodeType } from '../../core/timeline/format.ts';

/**
 * Where a subset's pods can land, pure: the scheduler's node selection (a NodeSelectorTerm, a
 * nodeSelector, tolerations against NoSchedule/NoExecute taints) evaluated over the run's node
 * objects (`cluster/nodes/objects.ts`: the ECS pools and the ECI virtual node). A subset is on ECI
 * when only the virtual node takes its pods, on ECS when only ECS nodes do.
 */

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** What of a pod decides its node: the subset's term and tolerations merged with the template's. */
export interface Placement {
  term?: NodeSelectorTerm;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
}

function requirementMatches(r: NodeSelectorRequirement, fields: Record<string, string>): boolean {
  const has = Object.hasOwn(fields, r.key);
  const v = fields[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return has && values.includes(v!);
    case 'NotIn': return !has || !values.includes(v!);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': return has && Number(v) > Number(values[0]);
    case 'Lt': return has && Number(v) < Number(values[0]);
    default: throw new Error(`unknown operator "${r.operator}" (In, NotIn, Exists, DoesNotExist, Gt or Lt)`);
  }
}

/** Whether the node satisfies the term (every requirement; `matchFields` knows `metadata.name`, as the scheduler does). */
export function termMatches(term: NodeSelectorTerm | undefined, node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  const fields = { 'metadata.name': node.metadata?.name ?? '' };
  return (term?.matchExpressions ?? []).every((r) => requirementMatches(r, labels))
    && (term?.matchFields ?? []).every((r) => requirementMatches(r, fields));
}

/** `Toleration.ToleratesTaint`: an empty key with Exists tolerates everything; an empty effect every effect. */
function tolerates(t: Toleration, taint: { key: string; value?: string; effect: string }): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** Whether the scheduler may put such a pod on the node (PreferNoSchedule taints do not keep it off). */
export function fits(p: Placement, node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  if (!Object.entries(p.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
  if (!termMatches(p.term, node)) return false;
  const hard = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  return hard.every((taint) => (p.tolerations ?? []).some((t) => tolerates(t, taint)));
}

/** The node type every fitting node has, or why there is none: no node fits, or both kinds do. */
export function nodeTypeOf(p: Placement, nodes: readonly V1Node[], typeOf: (n: V1Node) => NodeType | undefined): NodeType | { fitting: string[] } {
  const fitting = nodes.filter((n) => fits(p, n));
  const types = new Set(fitting.map(typeOf));
  if (types.size === 1 && !types.has(undefined)) return [...types][0]!;
  return { fitting: fitting.map((n) => n.metadata?.name ?? '?') };
}
