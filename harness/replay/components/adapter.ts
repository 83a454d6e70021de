import { startAdapter, type RunningAdapter } from '../../pipeline/adapter.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';

/** prometheus-adapter (a supervised host process) behind the aggregation layer. */
export class AdapterComponent implements Component {
  readonly name = 'prometheus-adapter';
  adapter: RunningAdapter | undefined;

  constructor(private readonly opts: () => Parameters<typeof startAdapter>[0]) {}

  async start(ctx?: ComponentContext): Promise<void> {
    this.adapter = await startAdapter({ ...this.opts(), ...(ctx ? { signal: ctx.signal } : {}) });
  }

  async stop(): Promise<void> {
    await this.adapter?.stop();
  }
}
