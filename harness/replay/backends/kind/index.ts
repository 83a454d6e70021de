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
    // The kind node image's kube-scheduler is a static pod of kubeadm's; swapping it is not done yet.
    if (placementReplacesScheduler(plan)) throw new UserError(`${plan.scenario.file}: the ${plan.system.placement.kind} runs its own kube-scheduler, which the kind backend cannot swap in yet`, 'replay it on the local backend (--backend local), or simulate it');
    // A UnitedDeployment's and a WorkloadSpread's controller is OpenKruise's manager, on the host beside the kind cluster.
    const kruise = runsKruise(plan) ? ['kruise-manager'] : [];
    // The SLS scaler runs in-process only on the local backend (the exporter is a pod here).
    if (plan.externalScaler) throw new UserError(`${plan.manifests.source ?? 'manifests'}: ${plan.hpa.kind} ${plan.hpa.metadata.name} asks the SLS external scaler, which replays on the local backend only`, 'replay it with --backend local; a prometheus trigger replays on kind too');
    return { toolchain: ['kind', 'kubectl', 'vk-eci', 'prometheus', 'prometheus-adapter', ...kruise, ...plan.scalerToolchain], start: (ctx) => startKindPipeline(plan, options, ctx) };
  },
  cluster: kindCluster,
};
