import { startKruiseManager, type KruiseResource, type RunningKruise } from '../../../cluster/kruise/index.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { UserError } from '../../../core/errors.ts';
import type { ReplayContext } from '../../model/replay.ts';

/**
 * OpenKruise's manager beside the cluster (`cluster/kruise`): the UnitedDeployment's component in a
 * replay — its CRDs (and the CloneSet's for a CloneSet template), its webhooks and the controller.
 */
export class KruiseComponent implements Component {
  readonly name = 'kruise-manager';
  private manager: RunningKruise | undefined;

  constructor(private readonly ctx: ReplayContext, readonly resources: readonly KruiseResource[]) {}

  async start(run?: ComponentContext): Promise<void> {
    if (!this.ctx.host) throw new UserError('a UnitedDeployment replay runs OpenKruise\'s manager beside the cluster, which this backend does not offer yet', 'replay it on the local backend (--backend local), or simulate it');
    const h = this.ctx.host();
    this.manager = await startKruiseManager({
      cluster: h.cluster, dir: h.dir, kubeconfig: h.kubeconfig, kubeConfig: this.ctx.kubeConfig(), resources: this.resources,
      ...(h.address ? { host: h.address } : {}),
      ...(run ? { signal: run.signal, progress: { phase: (c, p) => run.progress(`${c}: ${p}`), advance: () => {}, done: (c, s) => run.progress(`${c}: ${s}`), info: (m) => run.progress(m) } } : {}),
    });
  }

  async stop(): Promise<void> {
    await this.manager?.stop();
  }
}
