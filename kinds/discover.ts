import { UserError } from '../core/errors.ts';
import { idOf, type DiscoveryContext } from './model/discovery.ts';
import type { PlacementDiscovery, PlacementKind } from './model/placement.ts';
import type { KubeObject } from './model/objects.ts';
import type { DiscoveredScaler, ScalerKind } from './model/scaler.ts';
import { either, placementFor, PLACEMENTS, SCALERS, SCHEDULES } from './registry.ts';

/** The scaler among the manifests: the first registered kind that finds one; none is an error. */
export function discoverScaler(ctx: DiscoveryContext): DiscoveredScaler & { kind: ScalerKind } {
  for (const kind of SCALERS) {
    const found = kind.discover(ctx);
    if (found) return { ...found, kind: kind as ScalerKind };
  }
  const scheduled = ctx.objects.find((o) => SCHEDULES.some((k) => k.kind === o.kind));
  if (scheduled) {
    throw new UserError(`${ctx.fileOf(scheduled)}: ${idOf(scheduled)} without a ${either(SCALERS.map((s) => s.kind))}: a schedule alone is not modelled (the run's metric pipeline ends in the HPA)`, 'add the HPA the CronHPA works with (ACK: point the CronHPA at it), or point --manifests at the overlay that has it');
  }
  throw new UserError(`${ctx.where}: no ${either(SCALERS.map((s) => s.kind))} found`, 'point --manifests (or the scenario\'s manifests:) at the folder, kustomize directory or file that holds your HPA');
}

/**
 * What the scaler scales: first a placement standing beside its target (a WorkloadSpread naming
 * the Deployment; `PlacementKind.beside`), else the placement kind registered for the target's kind.
 */
export function discoverPlacement(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery & { kind: PlacementKind } {
  for (const k of PLACEMENTS) {
    const found = k.beside?.(ctx, scaler);
    if (found) return { ...found, kind: k };
  }
  const kind = placementFor(scaler.target.kind);
  if (!kind) {
    // A placement beside the target is never the scaleTargetRef itself (a WorkloadSpread has no scale subresource).
    const targets = PLACEMENTS.filter((p) => !p.beside).flatMap((p) => p.targets);
    throw new UserError(`${ctx.fileOf(scaler.object)}: ${idOf(scaler.object)}: spec.scaleTargetRef.kind "${scaler.target.kind ?? ''}" is not ${either(targets)}`, `point spec.scaleTargetRef at one of those (an ElasticWorkload or a UnitedDeployment, or the workload it scales directly, with or without a WorkloadSpread naming it or a ResourcePolicy selecting its pods)`);
  }
  return { ...kind.discover(ctx, scaler), kind };
}

/** A schedule beside the scaler (a CronHPA aimed at the HPA or its target): the first registered kind that finds one. */
export function discoverSchedule(ctx: DiscoveryContext, scaler: DiscoveredScaler): KubeObject | undefined {
  for (const kind of SCHEDULES) {
    const found = kind.discover(ctx, scaler);
    if (found) return found;
  }
  return undefined;
}
