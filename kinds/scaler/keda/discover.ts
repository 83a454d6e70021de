import { UserError } from '../../../core/errors.ts';
import { idOf, specOf, type DiscoveryContext } from '../../model/discovery.ts';
import type { DiscoveredScaler } from '../../model/scaler.ts';
import { generatedHpaName, type ScaledObjectSpec } from './generated.ts';

/**
 * KEDA's ScaledObject among a team's manifests: exactly one (keda.sh/v1alpha1). Its target is its
 * `scaleTargetRef` (KEDA's default kind Deployment); its metrics describe no Service. An HPA for the
 * same target beside it is refused: KEDA generates its own, and two HPAs on one target fight.
 */
export function discoverScaledObject(ctx: DiscoveryContext): DiscoveredScaler | undefined {
  const found = ctx.objects.filter((o) => o.kind === 'ScaledObject');
  if (!found.length) return undefined;
  if (found.length > 1) throw new UserError(`${ctx.where}: ${found.length} ScaledObjects found (${found.map((o) => `${idOf(o)} in ${ctx.fileOf(o)}`).join(', ')}); a run models one`, 'point --manifests at a kustomize overlay or file with the one ScaledObject to test');
  const so = found[0]!;
  if (so.apiVersion !== 'keda.sh/v1alpha1') throw new UserError(`${ctx.fileOf(so)}: ${idOf(so)}: apiVersion ${so.apiVersion} is not keda.sh/v1alpha1`, 'use apiVersion: keda.sh/v1alpha1 (KEDA v2)');
  const ref = (specOf(so) as ScaledObjectSpec).scaleTargetRef ?? {};
  const target = { kind: ref.kind ?? 'Deployment', name: ref.name };
  const hpa = ctx.objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && (specOf(o).scaleTargetRef as { kind?: string; name?: string } | undefined)?.name === target.name && (o.metadata.namespace ?? 'default') === (so.metadata.namespace ?? 'default'));
  if (hpa) throw new UserError(`${ctx.fileOf(hpa)}: ${idOf(hpa)} scales ${target.kind} ${target.name}, which ${idOf(so)} (${ctx.fileOf(so)}) scales through KEDA's own HPA ${generatedHpaName(so)}; two HPAs on one target fight`, 'remove the HPA from the manifests (components/keda deletes the base\'s)');
  return { object: so, original: so, target, services: [] };
}
