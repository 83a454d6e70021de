import { DEFAULT_TIER_WORDS } from '../../../core/checks/tiers.ts';
import type { PlacementKind, ResolvedPlacement } from '../../model/placement.ts';
import { ControllerComponent } from './controller.ts';
import { discoverElasticWorkload } from './discover.ts';
import { KIND, resolveElasticWorkload, splitElasticWorkload } from './resolve.ts';

/** Group, version and plural of autoscaling.alibabacloud.com's ElasticWorkload. */
export const EW_API = { group: 'autoscaling.alibabacloud.com', version: 'v1beta1', plural: 'elasticworkloads' } as const;

/**
 * Alibaba Cloud's ElasticWorkload: the source Deployment takes replicas up to its max on ECS, the
 * overflow fills the elastic units (`<source>-unit-<unit>` Deployments on the virtual node) in list
 * order, and scale-in drains the units before the source. The split is the open controller's own
 * (`cluster/elasticworkload`), which a replay runs in-process.
 */
export const elasticWorkload: PlacementKind = {
  kind: KIND,
  targets: [KIND],
  discover: discoverElasticWorkload,
  resolve: resolveElasticWorkload,
  split: splitElasticWorkload,
  components: (_p, ctx) => [new ControllerComponent(ctx)],
  recorderView(p: ResolvedPlacement) {
    const source = p.tiers[0]!.deployment;
    // Any unit Deployment of this source, also one the spec no longer lists (it still drains).
    const unitPrefix = `${source}-unit-`;
    return {
      owner: (d) => (d === source ? 'source' : d.startsWith(unitPrefix) ? d : undefined),
      resource: { ...EW_API, kind: KIND, name: p.object?.metadata.name ?? source },
    };
  },
  words: DEFAULT_TIER_WORDS,
};

export { ControllerComponent } from './controller.ts';
export { ewWithOverrides, tiersOf } from './resolve.ts';
