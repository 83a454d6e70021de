import type { PlacementKind } from './model/placement.ts';
import type { ScalerKind, ScheduleKind } from './model/scaler.ts';
import { deployment } from './placement/deployment/index.ts';
import { elasticWorkload } from './placement/elasticworkload/index.ts';
import { cronHpa } from './scaler/cronhpa/index.ts';
import { unitedDeployment } from './placement/uniteddeployment/index.ts';
import { workloadSpread } from './placement/workloadspread/index.ts';
import { resourcePolicy } from './placement/resourcepolicy/index.ts';
import type { HpaSpec } from './scaler/hpa/model.ts';
import { hpa, type KcmFlags } from './scaler/hpa/index.ts';
import { kedaKind } from './scaler/keda/index.ts';

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
  workloadSpread,
  resourcePolicy,
];

// The one scaler's model types: a scaler kind with other numbers makes this a union.
// KEDA's kind models its generated HPA through the HPA kind, handed in here (kinds never import
// each other). It is looked for first: a ScaledObject beside an HPA on the same target is an error
// it reports (two HPAs would fight), which the HPA's discovery would not see.
export const SCALERS: readonly ScalerKind<HpaSpec, KcmFlags>[] = [
  kedaKind(hpa),
  hpa,
];

// Scalers that act on a schedule beside the scaler (editing its bounds or the target's replicas).
export const SCHEDULES: readonly ScheduleKind[] = [
  cronHpa as ScheduleKind,
];

export function scheduleKind(kind: string): ScheduleKind {
  const k = SCHEDULES.find((s) => s.kind === kind);
  if (!k) throw new Error(`no schedule kind "${kind}" is registered (kinds/registry.ts)`);
  return k;
}

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
