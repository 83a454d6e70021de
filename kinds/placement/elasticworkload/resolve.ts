import { computeSplit, unitDeploymentName, type ElasticUnitSpec, type ElasticWorkloadSpec } from '../../../cluster/elasticworkload/split.ts';
import { UserError } from '../../../core/errors.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { ScenarioOverrides } from '../../model/overrides.ts';
import type { PlacementInput, ResolvedPlacement, Tier } from '../../model/placement.ts';

export const KIND = 'ElasticWorkload';

/** The scenario's `elasticWorkload:` over the manifests' object: source min/max, and min/max of units it names. */
export function ewWithOverrides(base: KubeObject, s: ScenarioOverrides, file: string): KubeObject {
  const ew = structuredClone(base) as KubeObject & { spec: ElasticWorkloadSpec };
  const o = s.elasticWorkload ?? {};
  if (o.sourceMin !== undefined) ew.spec.sourceTarget.min = o.sourceMin;
  if (o.sourceMax !== undefined) ew.spec.sourceTarget.max = o.sourceMax;
  for (const [i, u] of (o.units ?? []).entries()) {
    const unit = ew.spec.elasticUnit?.find((x) => x.name === u.name);
    if (!unit) {
      const names = (ew.spec.elasticUnit ?? []).map((x) => x.name).join(', ') || 'none';
      throw new UserError(`${file}: elasticWorkload.units[${i}].name: the manifests' ElasticWorkload has no unit "${u.name}" (units: ${names})`, 'name a unit of the ElasticWorkload manifest');
    }
    if (u.min !== undefined) unit.min = u.min;
    if (u.max !== undefined) unit.max = u.max;
  }
  return ew;
}

const bounds = (b: { min?: number; max?: number }) => ({ ...(b.min !== undefined ? { min: b.min } : {}), ...(b.max !== undefined ? { max: b.max } : {}) });

/** The source Deployment on ECS, then each unit's Deployment (`<source>-unit-<unit>`) on the virtual node, in list order. */
export function tiersOf(spec: ElasticWorkloadSpec): Tier[] {
  const source = spec.sourceTarget.name;
  return [
    { deployment: source, ...bounds(spec.sourceTarget), node: 'ecs' },
    ...(spec.elasticUnit ?? []).map((u): Tier => ({ deployment: unitDeploymentName(source, u.name), unit: u.name, ...bounds(u), node: 'eci' })),
  ];
}

export function resolveElasticWorkload(input: PlacementInput): ResolvedPlacement {
  const object = ewWithOverrides(input.object!, input.overrides, input.file);
  return { kind: KIND, object, tiers: tiersOf(object.spec as ElasticWorkloadSpec) };
}

/**
 * The controller's own split (`cluster/elasticworkload/split.ts`) over the tiers, per tier. Called
 * at every rescale of a sweep's every configuration: plain loops, no spreads.
 */
export function splitElasticWorkload(p: ResolvedPlacement, total: number): number[] {
  const tiers = p.tiers;
  const source = tiers[0]!;
  const elasticUnit: ElasticUnitSpec[] = [];
  for (let i = 1; i < tiers.length; i++) elasticUnit.push({ name: tiers[i]!.unit!, min: tiers[i]!.min, max: tiers[i]!.max });
  const split = computeSplit({ sourceTarget: { name: source.deployment, min: source.min, max: source.max }, elasticUnit }, total);
  const out = [split.source];
  for (const u of split.units) out.push(u.replicas);
  return out;
}
