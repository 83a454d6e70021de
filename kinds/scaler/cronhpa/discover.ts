import { UserError } from '../../../core/errors.ts';
import { idOf, namespaceOf, specOf, type DiscoveryContext } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { DiscoveredScaler } from '../../model/scaler.ts';

export const CRONHPA_KIND = 'CronHorizontalPodAutoscaler';

type Ref = { apiVersion?: string; kind?: string; name?: string };

/**
 * The CronHPA among a team's manifests: the one `CronHorizontalPodAutoscaler` whose
 * `scaleTargetRef` names the HPA (the way ACK documents coexisting with it) or the HPA's own target
 * (then the two fight: each job sets the replicas and the HPA's next sync takes them back, as on ACK;
 * a warning says so). One aimed at anything else, or several, is an error naming them.
 */
export function discoverCronHpa(ctx: DiscoveryContext, scaler: DiscoveredScaler): KubeObject | undefined {
  const found = ctx.objects.filter((o) => o.kind === CRONHPA_KIND);
  if (!found.length) return undefined;
  const hpa = scaler.object;
  const aims = (o: KubeObject) => {
    const ref = (specOf(o).scaleTargetRef ?? {}) as Ref;
    if (namespaceOf(o) !== namespaceOf(hpa)) return undefined;
    if (ref.kind === hpa.kind && ref.name === hpa.metadata.name) return 'scaler' as const;
    if (ref.kind === scaler.target.kind && ref.name === scaler.target.name) return 'workload' as const;
    return undefined;
  };
  const stray = found.filter((o) => !aims(o));
  if (stray.length) {
    const o = stray[0]!;
    const ref = (specOf(o).scaleTargetRef ?? {}) as Ref;
    throw new UserError(
      `${ctx.fileOf(o)}: ${idOf(o)}: spec.scaleTargetRef names ${ref.kind ?? '(no kind)'} ${namespaceOf(o)}/${ref.name ?? '(no name)'}, which is neither ${idOf(hpa)} nor its target ${scaler.target.kind} ${scaler.target.name}`,
      `point it at the HPA (kind HorizontalPodAutoscaler, name ${hpa.metadata.name}): ACK's CronHPA then edits the HPA's bounds instead of fighting it`,
    );
  }
  if (found.length > 1) {
    throw new UserError(`${ctx.where}: ${found.length} CronHorizontalPodAutoscalers found (${found.map((o) => `${idOf(o)} in ${ctx.fileOf(o)}`).join(', ')}); a run models one`, 'keep one CronHPA in the manifests you point at (jobs of several can go into one)');
  }
  const o = found[0]!;
  if (aims(o) === 'workload') {
    ctx.warnings.push(`${ctx.fileOf(o)}: ${idOf(o)} scales ${scaler.target.kind} ${scaler.target.name}, which ${idOf(hpa)} also scales: each job sets the replicas and the HPA's next sync takes them back (ACK documents pointing the CronHPA at the HPA instead)`);
  }
  return o;
}
