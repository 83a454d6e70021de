import { existingCompressionNote } from '../../../../cluster/existing/fidelity.ts';
import { retargetMonitorNamespaceLabel, retargetNamespaceLabel } from '../../../../cluster/existing/namespace-label.ts';
import { existingTarget, type ExistingFlags, type ExistingTarget } from '../../../../cluster/existing/options.ts';
import type { KubeObject } from '../../../../manifests/index.ts';
import { UserError } from '../../../../core/errors.ts';
import { refuseHostOnlyParts } from '../../components/pod-objects.ts';
import type { ReplayPlan } from '../../plan.ts';

/**
 * Checks the existing backend's flags and moves the plan into the namespace the run will own
 * (every object, the HPA's metric and the recorder follow `plan.namespace`); at k > 1 the fidelity
 * note goes into the plan's warnings, so the summary and the report carry it. Before anything starts.
 */
export function prepareExisting(plan: ReplayPlan, flags: ExistingFlags): ExistingTarget {
  refuseHostOnlyParts(plan);
  const schedule = plan.system.schedule;
  if (schedule) {
    // Its controller would have to run beside a cluster that may run ACK's own at real time; not done yet.
    throw new UserError(`${plan.manifests.source ?? 'manifests'}: ${schedule.kind} ${schedule.object.metadata.name} replays on the local and kind backends only`, 'replay it with --backend local or kind, or leave it out of the manifests for this cluster');
  }
  // The SLS scaler is served in-process on the local backend only; the cluster's KEDA would have to reach it.
  if (plan.externalScaler) throw new UserError(`${plan.manifests.source ?? 'manifests'}: ${plan.hpa.kind} ${plan.hpa.metadata.name} asks the SLS external scaler, which replays on the local backend only`, 'replay it with --backend local; on an existing cluster use a prometheus trigger (the cluster\'s KEDA then asks this run\'s Prometheus at --host-address)');
  const target = existingTarget(flags);
  retargetPlan(plan, target.namespace);
  const note = existingCompressionNote(plan.scenario.compression, plan.system.flags);
  if (note) plan.warnings.push(note);
  return target;
}

/** Every object of the replay into namespace `ns` (pure apart from mutating the plan it is given). */
export function retargetPlan(plan: ReplayPlan, ns: string): void {
  const into = <T extends KubeObject | undefined>(o: T): T => (o ? ({ ...o, metadata: { ...o.metadata, namespace: ns } } as T) : o);
  const from = plan.namespace;
  plan.namespace = ns;
  if (plan.metric) plan.metric = { ...plan.metric, namespace: ns };
  plan.hpa = into(plan.hpa);
  plan.ew = into(plan.ew);
  plan.manifests = {
    ...plan.manifests,
    namespace: ns,
    businessDeployment: into(plan.manifests.businessDeployment),
    businessService: into(plan.manifests.businessService),
    // A relabeling that pins the series to the HPA's old namespace follows it (cluster/existing/namespace-label.ts).
    objects: plan.manifests.objects.map((o) => retargetMonitorNamespaceLabel(o, from, ns)),
    scrape: { ...plan.manifests.scrape, namespace: ns, relabelings: retargetNamespaceLabel(plan.manifests.scrape.relabelings, from, ns) },
  };
}

