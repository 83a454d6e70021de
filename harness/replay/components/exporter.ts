import { startExporter, type ExporterConfig, type ExporterOptions, type RunningExporter } from '../../../exporter/index.ts';
import type { Component } from '../../../core/component.ts';

/** The production exporter, its config resolved when it starts (it needs the fake SLS's endpoint). */
export class ExporterComponent implements Component {
  readonly name = 'exporter';
  exporter: RunningExporter | undefined;

  constructor(private readonly config: () => ExporterConfig, private readonly opts: ExporterOptions) {}

  async start(): Promise<void> {
    this.exporter = await startExporter(this.config(), this.opts);
  }

  get(): RunningExporter {
    if (!this.exporter) throw new Error('the exporter is not started');
    return this.exporter;
  }

  async stop(): Promise<void> {
    await this.exporter?.stop();
  }
}
