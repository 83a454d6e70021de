import { startDeletionCostController, startResourcePolicyScheduler, type DeletionCostController, type RunningScheduler } from '../../../cluster/resourcepolicy/index.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { UserError } from '../../../core/errors.ts';
import type { ReplayContext } from '../../model/replay.ts';

/**
 * The ResourcePolicy's components in a replay (`cluster/resourcepolicy`): the kube-scheduler with
 * the ResourcePolicy plugin in place of the cluster's (with our CRD), and the deletion-cost
 * controller for the reverse-order scale-in.
 */
export class ResourcePolicyComponent implements Component {
  readonly name = 'resourcepolicy';
  private scheduler: RunningScheduler | undefined;
  private costs: DeletionCostController | undefined;

  constructor(private readonly ctx: ReplayContext) {}

  async start(run?: ComponentContext): Promise<void> {
    if (!this.ctx.host) throw new UserError('a ResourcePolicy replay runs its own kube-scheduler beside the cluster, which this backend does not offer', 'replay it on the local backend (--backend local), or simulate it');
    const h = this.ctx.host();
    this.scheduler = await startResourcePolicyScheduler({
      cluster: h.cluster, dir: h.dir, kubeconfig: h.kubeconfig, kubeConfig: this.ctx.kubeConfig(),
      ...(run ? { signal: run.signal, progress: { phase: (c, p) => run.progress(`${c}: ${p}`), advance: () => {}, done: (c, s) => run.progress(`${c}: ${s}`), info: (m) => run.progress(m) } } : {}),
    });
    this.costs = startDeletionCostController({ kubeConfig: this.ctx.kubeConfig(), namespace: this.ctx.namespace, ...(this.ctx.logger ? { logger: this.ctx.logger } : {}) });
    await this.costs.synced;
  }

  async stop(): Promise<void> {
    await this.costs?.stop();
    await this.scheduler?.stop();
  }
}
