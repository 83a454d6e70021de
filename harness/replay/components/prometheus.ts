import { startPrometheus, type RunningPrometheus, type ScrapeTarget } from '../../pipeline/prometheus.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';

/** Prometheus (a supervised host process) scraping the exporter at the compressed interval. */
export class PrometheusComponent implements Component {
  readonly name = 'prometheus';
  prometheus: RunningPrometheus | undefined;

  constructor(private readonly opts: () => { cluster: string; dir: string; targets: ScrapeTarget[]; compression: number; bindAddress?: string }) {}

  async start(ctx?: ComponentContext): Promise<void> {
    this.prometheus = await startPrometheus({ ...this.opts(), ...(ctx ? { signal: ctx.signal } : {}) });
  }

  get(): RunningPrometheus {
    if (!this.prometheus) throw new Error('Prometheus is not started');
    return this.prometheus;
  }

  async stop(): Promise<void> {
    await this.prometheus?.stop();
  }
}
