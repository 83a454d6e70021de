import { startKeda, type RunningKeda } from '../../../cluster/keda/index.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { UserError } from '../../../core/errors.ts';
import type { ReplayContext } from '../../model/replay.ts';

/**
 * KEDA beside the cluster (`cluster/keda`): the ScaledObject's component in a replay — its CRDs,
 * the operator and the metrics apiserver behind `v1beta1.external.metrics.k8s.io`.
 */
export class KedaComponent implements Component {
  readonly name = 'keda';
  private keda: RunningKeda | undefined;

  constructor(private readonly ctx: ReplayContext) {}

  async start(run?: ComponentContext): Promise<void> {
    if (!this.ctx.host) throw new UserError('a ScaledObject replay runs KEDA beside the cluster, which this backend does not offer', 'replay it on the local backend (--backend local), or simulate it');
    const h = this.ctx.host();
    this.keda = await startKeda({
      cluster: h.cluster, dir: h.dir, kubeconfig: h.kubeconfig, kubeConfig: this.ctx.kubeConfig(),
      ...(h.address ? { host: h.address } : {}),
      ...(run ? { signal: run.signal, progress: { phase: (c, p) => run.progress(`${c}: ${p}`), advance: () => {}, done: (c, s) => run.progress(`${c}: ${s}`), info: (m) => run.progress(m) } } : {}),
    });
  }

  async stop(): Promise<void> {
    await this.keda?.stop();
  }
}
