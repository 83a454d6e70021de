import { DEFAULT_TIER_WORDS } from '../../../core/checks/tiers.ts';
import { UserError } from '../../../core/errors.ts';
import { findNear, idOf, missingObject } from '../../model/discovery.ts';
import type { PlacementInput, PlacementKind, ResolvedPlacement } from '../../model/placement.ts';

const KIND = 'Deployment';

/** A scenario's `elasticWorkload:` has no place here: refused, naming the field and what the scaler scales. */
function refuseOverrides({ overrides: s, source, workload }: PlacementInput): void {
  const o = s.elasticWorkload ?? {};
  const set = (Object.keys(o) as (keyof typeof o)[]).filter((k) => o[k] !== undefined);
  if (set.length) {
    throw new UserError(`${s.file ?? 'scenario'}: elasticWorkload.${set[0]}: the manifests (${source}) have no ElasticWorkload — the HPA scales ${workload.kind} ${workload.metadata.name} directly`, 'remove elasticWorkload from the scenario, or add an ElasticWorkload to the manifests');
  }
}

/**
 * The scaler scales the workload itself (a Deployment, or a StatefulSet, which a replay does not
 * record): one tier, every pod asking for an ECS node, capped only by the scaler's max. Nothing to
 * split and no component to run.
 */
export const deployment: PlacementKind = {
  kind: KIND,
  targets: ['Deployment', 'StatefulSet'],
  discover(ctx, scaler) {
    const { kind, name } = scaler.target;
    const workload = findNear(ctx, scaler.object, kind!, name);
    if (!workload) throw missingObject(ctx, scaler.object, kind!, name, `${idOf(scaler.object)}: spec.scaleTargetRef`);
    return { workload };
  },
  resolve(input): ResolvedPlacement {
    refuseOverrides(input);
    return { kind: KIND, tiers: [{ deployment: input.workload.metadata.name, min: 0, max: input.scalerMax, node: 'ecs' }] };
  },
  split: (p, total) => [Math.max(p.tiers[0]!.min ?? 0, Math.min(total, p.tiers[0]!.max ?? Infinity))],
  components: () => [],
  recorderView(p) {
    const name = p.tiers[0]!.deployment;
    return { owner: (d) => (d === name ? 'source' : undefined) };
  },
  words: DEFAULT_TIER_WORDS,
};
