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
    // A ResourcePolicy's scheduler (kube-scheduler with its plugin) runs on the host in place of kind's (pipeline.ts).
    const scheduler = placementReplacesScheduler(plan) ? ['resourcepolicy-scheduler'] : [];
    return { toolchain: ['kind', 'kubectl', 'vk-eci', 'prometheus', 'prometheus-adapter', ...kruise, ...scheduler, ...plan.scalerToolchain], start: (ctx) => startKindPipeline(plan, options, ctx) };
  },
  cluster: kindCluster,
};
