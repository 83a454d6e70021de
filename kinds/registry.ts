import type { PlacementKind } from './model/placement.ts';
import type { ScalerKind } from './model/scaler.ts';
import { deployment } from './placement/deployment/index.ts';
import { elasticWorkload } from './placement/elasticworkload/index.ts';
import { unitedDeployment } from './placement/uniteddeployment/index.ts';
import type { HpaSpec } from './scaler/hpa/model.ts';
import { hpa, type KcmFlags } from './scaler/hpa/index.ts';

/**
 * Every kind, registered once: a kind's folder exports one object implementing its interface and
 * takes one line here. Discovery, the system model, the simulator, the replay and the recorder ask
 * this registry and name no kind themselves. Order matters only in messages (the kinds listed when
 * none answers) and, for scalers, which kind is looked for first.
 */
export const PLACEMENTS: readonly PlacementKind[] = [
  elasticWorkload,
  deployment,
  unitedDeployment,
];

// The one scaler's model types: a scaler kind with other numbers makes this a union.
export const SCALERS: readonly ScalerKind<HpaSpec, KcmFlags>[] = [
  hpa,
];

/** The placement kind of a resolved placement (its `kind`). */
export function placementKind(kind: string): PlacementKind {
  const k = PLACEMENTS.find((p) => p.kind === kind);
  if (!k) throw new Error(`no placement kind "${kind}" is registered (kinds/registry.ts)`);
  return k;
}

/** The placement kind that answers a scaler target (or a placement object) of this `kind:`. */
export function placementFor(targetKind: string | undefined): PlacementKind | undefined {
  return PLACEMENTS.find((p) => targetKind !== undefined && p.targets.includes(targetKind));
}

export function scalerKind(kind: string): ScalerKind<HpaSpec, KcmFlags> {
  const k = SCALERS.find((s) => s.kind === kind);
  if (!k) throw new Error(`no scaler kind "${kind}" is registered (kinds/registry.ts)`);
  return k;
}

/** `a, b or c`. */
export const either = (names: readonly string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`);
