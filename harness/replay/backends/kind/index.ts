import { UserError } from '../../../../core/errors.ts';
import { placementReplacesScheduler } from '../../components/controller.ts';
import { refuseHostOnlyParts } from '../../components/pod-objects.ts';
import type { Backend } from '../../backend.ts';
import { runsKruise } from '../../plan.ts';
import { kindCluster } from './cluster.ts';
import { startKindPipeline } from './pipeline.ts';

/**
 * The kind backend: a one-node kind cluster in Docker (a real kubelet and container runtime, vk-eci
 * as the ECI node), the exporter and the workload as pods. Events mode and a scenario's own
 * exporter process need the local backend.
 */
export const backend: Backend = {
  prepare: (plan, options) => {
    refuseHostOnlyParts(plan);
    // A UnitedDeployment's and a WorkloadSpread's controller is OpenKruise's manager, on the host beside the kind cluster.
    const kruise = runsKruise(plan) ? ['kruise-manager'] : [];
    // The SLS scaler runs in-process only on the local backend (the exporter is a pod here).
    if (plan.externalScaler) throw new UserError(`${plan.manifests.source ?? 'manifests'}: ${plan.hpa.kind} ${plan.hpa.metadata.name} asks the SLS external scaler, which replays on the local backend only`, 'replay it with --backend local; a prometheus trigger replays on kind too');
    // A ResourcePolicy's scheduler (kube-scheduler with its plugin) runs on the host in place of kind's (pipeline.ts).
    const scheduler = placementReplacesScheduler(plan) ? ['resourcepolicy-scheduler'] : [];
    return { toolchain: ['kind', 'kubectl', 'vk-eci', 'prometheus', 'prometheus-adapter', ...kruise, ...scheduler, ...plan.scalerToolchain], start: (ctx) => startKindPipeline(plan, options, ctx) };
  },
  cluster: kindCluster,
};
