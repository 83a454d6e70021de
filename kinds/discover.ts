import { UserError } from '../core/errors.ts';
import { idOf, type DiscoveryContext } from './model/discovery.ts';
import type { PlacementDiscovery, PlacementKind } from './model/placement.ts';
import type { DiscoveredScaler, ScalerKind } from './model/scaler.ts';
import { either, placementFor, PLACEMENTS, SCALERS } from './registry.ts';

/** The scaler among the manifests: the first registered kind that finds one; none is an error. */
export function discoverScaler(ctx: DiscoveryContext): DiscoveredScaler & { kind: ScalerKind } {
  for (const kind of SCALERS) {
    const found = kind.discover(ctx);
    if (found) return { ...found, kind: kind as ScalerKind };
  }
  throw new UserError(`${ctx.where}: no ${either(SCALERS.map((s) => s.kind))} found`, 'point --manifests (or the scenario\'s manifests:) at the folder, kustomize directory or file that holds your HPA');
}

/** What the scaler scales, asked of the placement kind registered for its target's kind. */
export function discoverPlacement(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery & { kind: PlacementKind } {
  const kind = placementFor(scaler.target.kind);
  if (!kind) {
    const targets = PLACEMENTS.flatMap((p) => p.targets);
    throw new UserError(`${ctx.fileOf(scaler.object)}: ${idOf(scaler.object)}: spec.scaleTargetRef.kind "${scaler.target.kind ?? ''}" is not ${either(targets)}`, `point spec.scaleTargetRef at one of those (an ElasticWorkload or a UnitedDeployment, or the workload it scales directly)`);
  }
  return { ...kind.discover(ctx, scaler), kind };
}
