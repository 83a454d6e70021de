import { RP_KIND } from '../../../cluster/resourcepolicy/spec.ts';
import type { PlacementKind, ResolvedPlacement } from '../../model/placement.ts';
import { ResourcePolicyComponent } from './controller.ts';
import { discoverResourcePolicy, findPolicy } from './discover.ts';
import { eciOwner, resolveResourcePolicy, splitResourcePolicy } from './resolve.ts';

const deploymentOf = (p: ResolvedPlacement) => p.tiers[0]!.deployment;

/**
 * ACK's ResourcePolicy (scheduling.alibabacloud.com/v1alpha1) over a plain Deployment the HPA
 * scales: the scheduler fills its units in list order (ECS up to the unit's max, then the virtual
 * node) and scale-in removes the last unit's pods first. Tiers: the units, told apart by the node a
 * pod is bound to (one Deployment holds every tier's pods).
 */
export const resourcePolicy: PlacementKind = {
  kind: RP_KIND,
  targets: ['Deployment'],
  claims: (ctx, scaler) => findPolicy(ctx, scaler) !== undefined,
  discover: discoverResourcePolicy,
  resolve: resolveResourcePolicy,
  split: splitResourcePolicy,
  replacesScheduler: true,
  components: (_p, ctx) => [new ResourcePolicyComponent(ctx)],
  recorderView(p) {
    const dep = deploymentOf(p);
    return {
      owner: (d) => (d === dep ? 'source' : undefined),
      ownerOnNode: (d, nodeType) => (d !== dep ? undefined : nodeType === 'ecs' ? 'source' : eciOwner(dep)),
      resource: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', name: dep },
    };
  },
  words: { cheapest: 'ECS unit', overflow: 'ECI unit' },
};

export { eciOwner, splitResourcePolicy, tiersOf } from './resolve.ts';
export { findPolicy } from './discover.ts';
