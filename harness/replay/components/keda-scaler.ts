import { startKedaScaler, type ExporterConfig, type ExporterOptions, type RunningKedaScaler } from '../../../exporter/index.ts';
import type { Component } from '../../../core/component.ts';

/**
 * The SLS external scaler (`ebbflow keda-scaler`'s code) on loopback, for a ScaledObject whose
 * `external` trigger asks it: the exporter's config (the scaler's is the exporter's plus `grpc:`),
 * resolved when it starts (the fake SLS's endpoint), on the run's clock like the exporter.
 */
export class KedaScalerComponent implements Component {
  readonly name = 'keda-scaler';
  scaler: RunningKedaScaler | undefined;

  constructor(private readonly config: () => ExporterConfig, private readonly opts: ExporterOptions) {}

  async start(): Promise<void> {
    this.scaler = await startKedaScaler({ ...this.config(), grpc: { host: '127.0.0.1', port: 0 } }, this.opts);
  }

  get(): RunningKedaScaler {
    if (!this.scaler) throw new Error('the KEDA scaler is not started');
    return this.scaler;
  }

  async stop(): Promise<void> {
    await this.scaler?.stop();
  }
}
