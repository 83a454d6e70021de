import { UserError } from '../../../core/errors.ts';
import { findNear, idOf, missingObject, specOf, type DiscoveryContext } from '../../model/discovery.ts';
import type { PlacementDiscovery } from '../../model/placement.ts';
import type { DiscoveredScaler } from '../../model/scaler.ts';

/** The ElasticWorkload the scaler names, in its namespace, and its `sourceTarget` Deployment (the pods). */
export function discoverElasticWorkload(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery {
  const from = scaler.object;
  const ew = findNear(ctx, from, 'ElasticWorkload', scaler.target.name);
  if (!ew) throw missingObject(ctx, from, 'ElasticWorkload', scaler.target.name, `${idOf(from)}: spec.scaleTargetRef`);
  const source = (specOf(ew).sourceTarget ?? {}) as { kind?: string; name?: string };
  const kind = source.kind ?? 'Deployment';
  if (kind !== 'Deployment') throw new UserError(`${ctx.fileOf(ew)}: ${idOf(ew)}: spec.sourceTarget.kind ${kind} is not supported`, 'the ElasticWorkload\'s source must be a Deployment');
  const workload = findNear(ctx, from, 'Deployment', source.name);
  if (!workload) throw missingObject(ctx, from, 'Deployment', source.name, `${idOf(ew)}: spec.sourceTarget`);
  return { object: ew, workload };
}
