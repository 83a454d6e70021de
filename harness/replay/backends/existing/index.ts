import { existingCompressionNote } from '../../../../cluster/existing/fidelity.ts';
import type { Backend } from '../../backend.ts';
import { existingCluster } from './cluster.ts';
import { startExistingPipeline } from './pipeline.ts';
import { prepareExisting } from './prepare.ts';

/**
 * The existing backend: a cluster ebbflow did not create (`--kubeconfig`, `--namespace`), where the
 * run owns one namespace; the cluster side is `cluster/existing`. Its kcm keeps its own flags, so at
 * k > 1 the user is told the consequence before the run starts. A kind whose controller the cluster
 * must run (OpenKruise's, ACK's scheduler, KEDA) is checked against what runs there when the run
 * starts (`cluster/existing/controllers.ts`); ebbflow starts none of them there.
 */
export const backend: Backend = {
  prepare: (plan, options) => {
    const target = prepareExisting(plan, options);
    return { toolchain: ['kubectl', 'prometheus', 'prometheus-adapter'], start: (ctx) => startExistingPipeline(plan, target, options, ctx) };
  },
  notes: (scenario) => {
    const note = existingCompressionNote(scenario.compression);
    return note ? [note] : [];
  },
  cluster: existingCluster,
};
