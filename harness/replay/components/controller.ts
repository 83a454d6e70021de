import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { installCrd, startController, type RunningController } from '../../../cluster/elasticworkload/index.ts';
import type { Component } from '../../../core/component.ts';

/** The ElasticWorkload CRD and the open controller, in-process. */
export class ControllerComponent implements Component {
  readonly name = 'ew-controller';
  private controller: RunningController | undefined;

  constructor(private readonly opts: { kubeConfig: () => KubeConfig; namespace: string; logger?: Logger }) {}

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

/**
 * The controller that places the workload's replicas (today the ElasticWorkload's), as every backend
 * starts it: the one place that chooses it.
 */
export function placementController(o: { kubeConfig: () => KubeConfig; namespace: string; logger?: Logger }): ControllerComponent {
  return new ControllerComponent(o);
}
