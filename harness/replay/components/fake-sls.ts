import { startFakeSls, type FakeSls, type FakeSlsOptions } from '../../fake-sls/index.ts';
import type { Component } from '../../../core/component.ts';

/** The fake SLS in curve mode on the replay's virtual clock. */
export class FakeSlsComponent implements Component {
  readonly name = 'fake-sls';
  sls: FakeSls | undefined;

  constructor(private readonly opts: FakeSlsOptions) {}

  async start(): Promise<void> {
    this.sls = await startFakeSls(this.opts);
  }

  get(): FakeSls {
    if (!this.sls) throw new Error('the fake SLS is not started');
    return this.sls;
  }

  async stop(): Promise<void> {
    await this.sls?.stop();
  }
}
