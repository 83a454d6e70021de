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
  // Never a scaleTargetRef: it stands beside the Deployment whose pods it selects.
  targets: [],
  beside: (ctx, scaler) => (scaler.target.kind === 'Deployment' && findPolicy(ctx, scaler) !== undefined ? discoverResourcePolicy(ctx, scaler) : undefined),
  discover: discoverResourcePolicy,
  resolve: resolveResourcePolicy,
  split: splitResourcePolicy,
  replacesScheduler: true,
  components: (_p, ctx) => [new ResourcePolicyComponent(ctx)],
  recorderView(p) {
    const dep = deploymentOf(p);
    return {
      owner: (d) => (d === dep ? 'source' : undefined),
      // One Deployment holds every unit's pods: a pod's unit is the node it is bound to.
      pods: { deployment: dep, owner: (pod) => (pod.nodeType === undefined ? undefined : pod.nodeType === 'ecs' ? 'source' : eciOwner(dep)) },
      resource: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', name: dep },
    };
  },
  words: { cheapest: 'ECS unit', overflow: 'ECI unit' },
};

export { eciOwner, splitResourcePolicy, tiersOf } from './resolve.ts';
export { findPolicy } from './discover.ts';
