import { startKruiseManager, type KruiseResource, type RunningKruise } from '../../../cluster/kruise/index.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { UserError } from '../../../core/errors.ts';
import type { ReplayContext } from '../../model/replay.ts';

/**
 * OpenKruise's manager beside the cluster (`cluster/kruise`): the WorkloadSpread's component in a
 * replay — the CRDs (the WorkloadSpread's with its v1alpha1 ↔ v1beta1 conversion), the
 * WorkloadSpread's validation, the pod webhooks that place each new pod in a subset (scoped to the
 * workload's pods by `podLabels`) and the controller that sets the deletion cost.
 */
export class SpreadComponent implements Component {
  readonly name = 'kruise-manager';
  private manager: RunningKruise | undefined;
  /** The webhooks it registers: a CloneSet target's own too (its defaulting, which the controller relies on). */
  readonly resources: readonly KruiseResource[];

  constructor(private readonly ctx: ReplayContext, private readonly podLabels: Record<string, string>, cloneSet: boolean) {
    this.resources = cloneSet ? ['workloadspreads', 'pods', 'clonesets'] : ['workloadspreads', 'pods'];
  }

  async start(run?: ComponentContext): Promise<void> {
    if (!this.ctx.host) throw new UserError('a WorkloadSpread replay runs OpenKruise\'s manager beside the cluster, which this backend does not offer yet', 'replay it on the local or kind backend (--backend local|kind), or simulate it');
    const h = this.ctx.host();
    this.manager = await startKruiseManager({
      cluster: h.cluster, dir: h.dir, kubeconfig: h.kubeconfig, kubeConfig: this.ctx.kubeConfig(),
      resources: this.resources,
      podSelector: this.podLabels,
      ...(h.address ? { host: h.address } : {}),
      ...(run ? { signal: run.signal, progress: { phase: (c, p) => run.progress(`${c}: ${p}`), advance: () => {}, done: (c, s) => run.progress(`${c}: ${s}`), info: (m) => run.progress(m) } } : {}),
    });
  }

  async stop(): Promise<void> {
    await this.manager?.stop();
  }
}
