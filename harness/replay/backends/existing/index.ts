import { UserError } from '../../../../core/errors.ts';
import { placementReplacesScheduler } from '../../components/controller.ts';
import { existingCompressionNote } from '../../../../cluster/existing/fidelity.ts';
import type { Backend } from '../../backend.ts';
import { existingCluster } from './cluster.ts';
import { startExistingPipeline } from './pipeline.ts';
import { prepareExisting } from './prepare.ts';

/**
 * The existing backend: a cluster ebbflow did not create (`--kubeconfig`, `--namespace`), where the
 * run owns one namespace; the cluster side is `cluster/existing`. Its kcm keeps its own flags, so at
 * k > 1 the user is told the consequence before the run starts.
 */
export const backend: Backend = {
  prepare: (plan, options) => {
    // Someone else's cluster keeps its own scheduler: ours is never swapped in there.
    if (placementReplacesScheduler(plan)) throw new UserError(`${plan.scenario.file}: the ${plan.system.placement.kind} needs its own kube-scheduler, which ebbflow does not start on a cluster it did not create`, 'replay it on the local backend (--backend local), or simulate it');
    const target = prepareExisting(plan, options);
    return { toolchain: ['kubectl', 'prometheus', 'prometheus-adapter'], start: (ctx) => startExistingPipeline(plan, target, options, ctx) };
  },
  notes: (scenario) => {
    const note = existingCompressionNote(scenario.compression);
    return note ? [note] : [];
  },
  cluster: existingCluster,
};
