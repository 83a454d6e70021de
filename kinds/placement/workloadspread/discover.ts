import { UserError } from '../../../core/errors.ts';
import { findNear, idOf, missingObject, namespaceOf, specOf, type DiscoveryContext } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { PlacementDiscovery } from '../../model/placement.ts';
import type { DiscoveredScaler } from '../../model/scaler.ts';
import { groupOf, KIND, TARGET_KINDS, type WorkloadSpreadSpec } from './spec.ts';

const targetRefOf = (ws: KubeObject) => (specOf(ws) as WorkloadSpreadSpec).targetRef;

/** The scaler's `scaleTargetRef` with its group (a ReplicaSet of `apps`, a CloneSet of `apps.kruise.io`). */
function scaled(scaler: DiscoveredScaler): { group: string; kind?: string; name?: string } {
  const ref = (specOf(scaler.object).scaleTargetRef ?? {}) as { apiVersion?: string };
  return { group: groupOf(ref.apiVersion), ...scaler.target };
}

/**
 * The WorkloadSpread beside the scaler's target: one in the scaler's namespace whose `targetRef`
 * names the workload the scaler scales (same group, kind and name). The HPA still scales that
 * workload; the WorkloadSpread decides where each of its pods runs. Undefined when none names it;
 * two naming it (kruise's webhook refuses that) or a target kind whose scale-in does not follow the
 * deletion cost is an error naming the file and the field.
 */
export function workloadSpreadBeside(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery | undefined {
  const target = scaled(scaler);
  const spreads = ctx.objects.filter((o) => {
    const ref = targetRefOf(o);
    return o.kind === KIND && namespaceOf(o) === namespaceOf(scaler.object) && ref?.kind === target.kind && ref?.name === target.name && groupOf(ref?.apiVersion) === target.group;
  });
  if (!spreads.length) return undefined;
  if (spreads.length > 1) throw new UserError(`${spreads.map((s) => `${ctx.fileOf(s)}: ${idOf(s)}`).join(' and ')}: both name ${target.kind} ${target.name} in spec.targetRef`, 'keep one WorkloadSpread per workload (kruise refuses the second)');
  const ws = spreads[0]!;
  const at = `${ctx.fileOf(ws)}: ${idOf(ws)}`;
  if (!TARGET_KINDS.some((k) => k.kind === target.kind && k.group === target.group)) {
    throw new UserError(`${at}: spec.targetRef.kind "${target.kind}": not modelled (its pods are placed by ordinal or its scale-in ignores the deletion cost)`, `a WorkloadSpread modelled here names a ${TARGET_KINDS.map((k) => k.kind).join(', ').replace(/, (?=[^,]*$)/, ' or ')}`);
  }
  const workload = findNear(ctx, ws, target.kind!, target.name);
  if (!workload) throw missingObject(ctx, ws, target.kind!, target.name, `${idOf(ws)}: spec.targetRef`);
  if (!(specOf(ws) as WorkloadSpreadSpec).subsets?.length) throw new UserError(`${at}: spec.subsets: none`, 'add a subset per kind of node, cheapest first (ECS, then the ECI virtual node)');
  return { object: ws, workload };
}

/** An HPA cannot scale a WorkloadSpread (it has no scale subresource): it scales the workload the WorkloadSpread names. */
export function discoverWorkloadSpread(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery {
  const ws = findNear(ctx, scaler.object, KIND, scaler.target.name);
  const names = ws ? targetRefOf(ws) : undefined;
  throw new UserError(
    `${ctx.fileOf(scaler.object)}: ${idOf(scaler.object)}: spec.scaleTargetRef names a WorkloadSpread, which has no scale subresource`,
    names?.kind ? `point spec.scaleTargetRef at ${names.kind} ${names.name}, the workload the WorkloadSpread names` : 'point spec.scaleTargetRef at the workload the WorkloadSpread names in its targetRef',
  );
}
