import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { RecorderView } from '../../kinds/model/placement.ts';
import { placementKind } from '../../kinds/registry.ts';
import { podDeployment, podNodeType } from './classify.ts';

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

/** Whether a pod is one of the placement's (its Deployment is one of the tiers). */
export function belongsTo(view: RecorderView): (p: V1Pod) => boolean {
  return (p) => {
    const d = podDeployment(p);
    return d !== undefined && view.owner(d) !== undefined;
  };
}

/**
 * A pod's timeline owner: `source` for the cheapest tier, else its Deployment's name; for a view
 * whose tiers differ by node (`ownerOnNode`), by the node it is bound to, undefined while unbound.
 */
export function ownerOf(view: RecorderView, p: V1Pod, virtualNode?: string): string | undefined {
  const d = podDeployment(p);
  if (d === undefined) return undefined;
  if (!view.ownerOnNode) return view.owner(d);
  const type = podNodeType(p, virtualNode);
  return type === undefined ? undefined : view.ownerOnNode(d, type);
}

/**
 * Replicas of the cheapest tier's Deployment and of each overflow Deployment (by name); for a view
 * whose tiers differ by node, the live bound pods of each tier.
 */
export function splitOf(view: RecorderView, deps: readonly V1Deployment[], pods: readonly V1Pod[] = [], virtualNode?: string): { source: number; units: Record<string, number> } {
  const units: Record<string, number> = {};
  let source = 0;
  if (view.ownerOnNode) {
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp) continue;
      const owner = ownerOf(view, p, virtualNode);
      if (owner === 'source') source++;
      else if (owner !== undefined) units[owner] = (units[owner] ?? 0) + 1;
    }
    return { source, units };
  }
  for (const d of deps) {
    const n = d.metadata?.name ?? '';
    const owner = view.owner(n);
    if (owner === 'source') source = d.spec?.replicas ?? 0;
    else if (owner !== undefined) units[n] = d.spec?.replicas ?? 0;
  }
  return { source, units };
}
