import type { TimelineEvent, TimelineRecord } from '../../../core/timeline/format.ts';
import type { Component } from '../../../core/component.ts';
import type { ReplayPlan } from '../plan.ts';
import { pipelineValues, type Pipeline } from '../warmup.ts';

/**
 * Records each pipeline stage's published value (`metric.published` for exporter, Prometheus,
 * adapter) so the report can show the lag per stage. Polls at half the compressed scrape interval.
 */
export class ProbeComponent implements Component {
  readonly name = 'probe';
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly lastSeen: Record<string, number | undefined> = {};

  constructor(private readonly pipeline: Pipeline, private readonly plan: ReplayPlan, private readonly write: (r: TimelineRecord) => void) {}

  async start(): Promise<void> {
    const k = this.plan.scenario.compression;
    const every = Math.max(100, (this.plan.system.pipeline.scrapeIntervalSeconds * 1000) / k / 2);
    this.timer = setInterval(() => {
      this.inFlight ??= this.probe().catch(() => {}).finally(() => (this.inFlight = undefined));
    }, every);
  }

  private async probe(): Promise<void> {
    const values = await pipelineValues(this.pipeline);
    if (!this.timer) return;
    for (const [stage, value] of Object.entries(values)) {
      if (value === undefined || value === this.lastSeen[stage]) continue;
      this.lastSeen[stage] = value;
      this.write({ kind: 'event', t: Math.round(this.plan.clock.now()), type: 'metric.published', object: stage, to: value, message: `${stage} now serves ${value}` } as TimelineEvent);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // A probe in flight must not write after the timeline is closed.
    await this.inFlight;
  }
}
