import { installCrd, startController, type RunningController } from '../../../cluster/elasticworkload/index.ts';
import type { Component } from '../../../core/component.ts';
import type { ReplayContext } from '../../model/replay.ts';

/** The ElasticWorkload CRD and the open controller, in-process: the kind's component in a replay. */
export class ControllerComponent implements Component {
  readonly name = 'ew-controller';
  private controller: RunningController | undefined;

  constructor(private readonly opts: ReplayContext) {}

  async start(): Promise<void> {
    const kubeConfig = this.opts.kubeConfig();
    await installCrd(kubeConfig);
    this.controller = startController({ kubeConfig, namespace: this.opts.namespace, logger: this.opts.logger });
  }

  async ready(): Promise<void> {
    await this.controller?.synced;
  }

  async stop(): Promise<void> {
    await this.controller?.stop();
  }
}
