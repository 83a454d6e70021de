import { compressExporterConfig, startKedaScaler, type ExporterConfig, type ExporterOptions, type RunningKedaScaler } from '../../../exporter/index.ts';
import type { Component } from '../../../core/component.ts';
import type { ReplayPlan } from '../plan.ts';

/**
 * The SLS external scaler (`ebbflow keda-scaler`'s code) on loopback, for a ScaledObject whose
 * `external` trigger asks it: the exporter's config (the scaler's is the exporter's plus `grpc:`),
 * resolved when it starts (the fake SLS's endpoint), on the run's clock like the exporter. KEDA's
 * operator runs on this machine on every backend that replays a ScaledObject (local and kind), so
 * loopback reaches it from there; nothing in the cluster dials the scaler.
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

/**
 * The manifests' exporter config as a process of this run reads it: the fake SLS at `endpoint`
 * (`localhost:<port>`, or `<address>:<port>` where the fake listens on another address of this
 * machine — the SDK's `<project>.<IPv4>` resolves to that address), the scenario's window and
 * interval, every timer divided by k.
 */
export function runExporterConfig(plan: ReplayPlan, endpoint: string): ExporterConfig {
  const base = plan.exporterConfig;
  const p = plan.system.pipeline;
  return compressExporterConfig(
    {
      ...base,
      sls: { ...base.sls, endpoint },
      metrics: base.metrics.map((m) => ({ ...m, window: p.slsWindowSeconds, interval: p.exporterIntervalSeconds, maxStaleness: Math.max(m.maxStaleness, p.exporterIntervalSeconds * 2) })),
    },
    plan.scenario.compression,
  );
}
