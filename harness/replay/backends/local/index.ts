import type { Backend } from '../../backend.ts';
import { runsKruise, type ReplayPlan } from '../../plan.ts';
import { localCluster } from './cluster.ts';
import { startLocalPipeline } from './pipeline.ts';

const TOOLCHAIN = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok', 'kwokctl', 'prometheus', 'prometheus-adapter'];
// A UnitedDeployment's and a WorkloadSpread's controller is OpenKruise's manager: built (once, with the toolchain's progress) only for such a run.
const toolchainFor = (plan: ReplayPlan) => [
  ...TOOLCHAIN,
  ...(plan.scenario.source.mode === 'events' ? ['k6'] : []),
  ...(runsKruise(plan) ? ['kruise-manager'] : []),
  // A ResourcePolicy's scheduler (kube-scheduler with its plugin): built once, on first use.
  ...(plan.system.placement.kind === 'ResourcePolicy' ? ['resourcepolicy-scheduler'] : []),
  // A ScaledObject's KEDA, likewise built only for such a run.
  ...plan.scalerToolchain,
];

/**
 * The local backend: the control plane as processes owned by this run (KWOK playing the ECS nodes'
 * and the ECI node's kubelets), everything else in-process or beside it. It runs every scenario.
 */
export const backend: Backend = {
  prepare: (plan, options) => ({ toolchain: toolchainFor(plan), start: (ctx) => startLocalPipeline(plan, options, ctx) }),
  cluster: localCluster,
};
