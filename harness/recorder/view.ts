import type { V1Pod } from '@kubernetes/client-node';
import type { NodeType } from '../../core/timeline/format.ts';
import type { RecorderView } from '../../kinds/model/placement.ts';
import { placementKind } from '../../kinds/registry.ts';
import { podNodeType, podWorkload } from './classify.ts';

/**
 * The placement as the recorder sees it (pure): which Deployments are its tiers and the timeline
 * owner of their pods, asked of the placement kind (`kinds/`), never decided here.
 */

/**
 * The view for the options a caller gives today: an ElasticWorkload `ewName` with source
 * `sourceName`, or with `direct` the Deployment the HPA scales itself. A caller that has the
 * resolved placement passes its kind's view instead (`RecorderOptions.view`).
 */
export function viewFromNames(o: { ewName: string; sourceName: string; direct?: boolean }): RecorderView {
  const tiers = [{ deployment: o.sourceName, node: 'ecs' as const }];
  if (o.direct) return placementKind('Deployment').recorderView({ kind: 'Deployment', tiers });
  const object = { apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'ElasticWorkload', metadata: { name: o.ewName } };
  return placementKind('ElasticWorkload').recorderView({ kind: 'ElasticWorkload', object, tiers });
}

/** Whether a pod is one of the placement's (its workload is one of the tiers, or the one workload whose pods the tiers share). */
export function belongsTo(view: RecorderView): (p: V1Pod) => boolean {
  return (p) => {
    const d = podWorkload(p, view.workloads?.kind);
    if (view.pods) return d === view.pods.deployment;
    return d !== undefined && view.owner(d) !== undefined;
  };
}

/** A pod's timeline owner: `source` for the cheapest tier, else its Deployment's name (or, tiers sharing one workload, the tier the placement reads on the pod). */
export function ownerOf(view: RecorderView, p: V1Pod, virtualNode?: string): string | undefined {
  const d = podWorkload(p, view.workloads?.kind);
  if (view.pods) return d === view.pods.deployment ? view.pods.owner({ annotations: p.metadata?.annotations ?? {}, nodeType: podNodeType(p, virtualNode) }) : undefined;
  return d === undefined ? undefined : view.owner(d);
}

/** Where a pod that waits for a node is going, as the checks' tiers place its owner: the cheapest tier on ECS, overflow on the virtual node. */
export function destinationOf(view: RecorderView, virtualNode: string | undefined): (p: V1Pod) => NodeType | undefined {
  return (p) => {
    if (!view.pods) return undefined;
    const owner = ownerOf(view, p, virtualNode);
    return owner === undefined ? undefined : owner === 'source' ? 'ecs' : 'eci';
  };
}

/**
 * The split of tiers that share one workload: the active pods (not Failed, not terminating) of
 * each tier, by the owner the placement reads on each pod; the cheapest tier's as `source`.
 */
export function splitOfPods(view: RecorderView, pods: readonly V1Pod[], virtualNode: string | undefined): { source: number; units: Record<string, number> } {
  const units: Record<string, number> = {};
  let source = 0;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp || p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') continue;
    const owner = ownerOf(view, p, virtualNode);
    if (owner === 'source') source++;
    else if (owner !== undefined) units[owner] = (units[owner] ?? 0) + 1;
  }
  return { source, units };
}

/** A tier's workload as the recorder reads it: a Deployment, or the view's `workloads` (a CloneSet). */
export interface WorkloadObject {
  metadata?: { name?: string };
  spec?: { replicas?: number };
}

/** Replicas of the cheapest tier's workload and of each overflow workload (by name). */
export function splitOf(view: RecorderView, deps: readonly WorkloadObject[]): { source: number; units: Record<string, number> } {
  const units: Record<string, number> = {};
  let source = 0;
  for (const d of deps) {
    const n = d.metadata?.name ?? '';
    const owner = view.owner(n);
    if (owner === 'source') source = d.spec?.replicas ?? 0;
    else if (owner !== undefined) units[n] = d.spec?.replicas ?? 0;
  }
  return { source, units };
}
