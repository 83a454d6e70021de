import { installCrd, startController, type RunningController } from '../../../cluster/cronhpa/index.ts';
import type { Component } from '../../../core/component.ts';
import type { ReplayContext } from '../../model/replay.ts';

/**
 * The CronHPA CRD and controller, in-process, on the run's virtual clock: the kind's component in a
 * replay. A job's retry period (3 s) and give-up time (10 s) are divided by k like kcm's periods.
 */
export class CronHpaControllerComponent implements Component {
  readonly name = 'cronhpa-controller';
  private controller: RunningController | undefined;

  constructor(private readonly opts: ReplayContext & { timeZone: string }) {}

  async start(): Promise<void> {
    const kubeConfig = this.opts.kubeConfig();
    await installCrd(kubeConfig);
    const clock = this.opts.clock;
    const k = clock?.k ?? 1;
    this.controller = startController({
      kubeConfig, namespace: this.opts.namespace, logger: this.opts.logger, timeZone: this.opts.timeZone,
      ...(clock ? { clock: { now: () => clock.now(), toWall: (v: number) => clock.toWall(v) } } : {}),
      retryIntervalMs: 3000 / k, retryTimeoutMs: 10_000 / k,
    });
  }

  async ready(): Promise<void> {
    await this.controller?.synced;
  }

  async stop(): Promise<void> {
    await this.controller?.stop();
  }
}
