import { RP_GROUP, RP_KIND, selectsLabels, type ResourcePolicySpec } from '../../../cluster/resourcepolicy/spec.ts';
import { UserError } from '../../../core/errors.ts';
import { findNear, idOf, missingObject, namespaceOf, specOf, type DiscoveryContext } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { PlacementDiscovery } from '../../model/placement.ts';
import type { DiscoveredScaler } from '../../model/scaler.ts';

const templateLabels = (d: KubeObject) => (d.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata?.labels;

/**
 * The ResourcePolicy that governs the scaler's target: a Deployment whose pod template's labels
 * its `selector` matches, in the Deployment's namespace. Two such policies are an error naming both.
 */
export function findPolicy(ctx: DiscoveryContext, scaler: DiscoveredScaler): { policy: KubeObject; deployment: KubeObject } | undefined {
  if (scaler.target.kind !== 'Deployment') return undefined;
  const deployment = findNear(ctx, scaler.object, 'Deployment', scaler.target.name);
  if (!deployment) return undefined;
  const found = ctx.objects.filter((o) => o.kind === RP_KIND && o.apiVersion?.startsWith(`${RP_GROUP}/`) && namespaceOf(o) === namespaceOf(deployment)
    && selectsLabels(specOf(o) as ResourcePolicySpec, templateLabels(deployment)));
  if (found.length > 1) {
    throw new UserError(`${found.map((p) => `${ctx.fileOf(p)}: ${idOf(p)}`).join(' and ')}: both select the pods of ${idOf(deployment)}`, 'keep one ResourcePolicy per workload (which one ACK\'s scheduler follows is not documented)');
  }
  return found[0] ? { policy: found[0], deployment } : undefined;
}

export function discoverResourcePolicy(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery {
  const hit = findPolicy(ctx, scaler);
  if (!hit) {
    const deployment = findNear(ctx, scaler.object, 'Deployment', scaler.target.name);
    if (!deployment) throw missingObject(ctx, scaler.object, 'Deployment', scaler.target.name, `${idOf(scaler.object)}: spec.scaleTargetRef`);
    throw new UserError(`${ctx.where}: no ResourcePolicy selects the pods of ${idOf(deployment)}`, 'give the ResourcePolicy a spec.selector of the pod template\'s labels, in the Deployment\'s namespace');
  }
  return { object: hit.policy, workload: hit.deployment };
}
