import { specOf } from '../../model/discovery.ts';
import { CLONESET_RESOURCE, type PlacementKind, type ResolvedPlacement } from '../../model/placement.ts';
import { KruiseComponent } from './controller.ts';
import { discoverUnitedDeployment } from './discover.ts';
import { allocateAdaptive } from './allocate.ts';
import { adaptiveOf, resolveUnitedDeployment, splitUnitedDeployment } from './resolve.ts';
import { KIND, subsetPrefix, UD_API, type UnitedDeploymentSpec } from './spec.ts';

/**
 * The timeline owner of a subset workload's pods, by the name the controller generated for it
 * (`<ud>-<subset>-<random>`): `source` for the first subset (the ECS tier), the workload's own name
 * for the others. The longest prefix wins, so subsets `ecs` and `ecs-b` stay apart.
 */
function ownerByPrefix(p: ResolvedPlacement): (deployment: string) => string | undefined {
  const ud = p.object?.metadata.name ?? p.tiers[0]!.deployment;
  const prefixes = p.tiers.map((t, i) => ({ prefix: subsetPrefix(ud, t.unit ?? ''), cheapest: i === 0 }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  return (d) => {
    // The tier's own name (`<ud>-<subset>`, as the simulator names it) belongs to it too.
    const hit = prefixes.find((x) => d.startsWith(x.prefix) || `${d}-` === x.prefix);
    return hit ? (hit.cheapest ? 'source' : d) : undefined;
  };
}

/** Its subsets' workloads are CloneSets (a `cloneSetTemplate`). */
const hasCloneSets = (p: ResolvedPlacement) => p.object !== undefined && (specOf(p.object) as UnitedDeploymentSpec).template?.cloneSetTemplate !== undefined;

/**
 * OpenKruise's UnitedDeployment (apps.kruise.io/v1alpha1): one workload per subset, filled in list
 * order (every subset's minReplicas, then up to each maxReplicas) and drained in reverse; the HPA
 * sets its scale subresource. Tiers: the ECS subset, then the subsets on the virtual node.
 */
export const unitedDeployment: PlacementKind = {
  kind: KIND,
  targets: [KIND],
  discover: discoverUnitedDeployment,
  resolve: resolveUnitedDeployment,
  split: splitUnitedDeployment,
  adaptive(p) {
    const a = adaptiveOf(p);
    return a && { ...a, split: (total, observed) => allocateAdaptive(total, p.tiers, observed) };
  },
  components: (p, ctx) => [new KruiseComponent(ctx, hasCloneSets(p) ? ['uniteddeployments', 'clonesets'] : ['uniteddeployments'])],
  recorderView(p) {
    return {
      owner: ownerByPrefix(p),
      resource: { ...UD_API, kind: KIND, name: p.object?.metadata.name ?? p.tiers[0]!.deployment },
      // The subsets' CloneSets own their pods directly: the recorder reads them, not Deployments.
      ...(hasCloneSets(p) ? { workloads: CLONESET_RESOURCE } : {}),
    };
  },
  words: { cheapest: 'ECS subset', overflow: 'ECI subset' },
};

export { allocateAdaptive, allocateMinMax, parseSubsetReplicas } from './allocate.ts';
export { KruiseComponent } from './controller.ts';
export { TEMPLATE_OF_ANNOTATION } from './discover.ts';
export { adaptiveOf, tiersOf } from './resolve.ts';
export { KIND, SUBSET_LABEL, subsetPrefix, UD_API } from './spec.ts';
