import { startCluster, type ClusterConfigInput, type LocalCluster } from '../../../cluster/local/index.ts';
import type { ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import type { Component, ComponentContext } from '../../common/component.ts';

/** The local control plane, owned by this process (its death tears the cluster down). */
export class ClusterComponent implements Component {
  readonly name = 'cluster';
  cluster: LocalCluster | undefined;

  constructor(private readonly config: ClusterConfigInput, private readonly toolchainProgress?: ToolchainProgress, private readonly opts: { deferControllerManager?: boolean } = {}) {}

  async start(ctx: ComponentContext): Promise<void> {
    this.cluster = await startCluster(this.config, { ownerPid: process.pid, signal: ctx.signal, progress: ctx.progress, toolchainProgress: this.toolchainProgress, deferControllerManager: this.opts.deferControllerManager });
  }

  /** The running cluster; for components started after this one. */
  get(): LocalCluster {
    if (!this.cluster) throw new Error('the cluster is not started');
    return this.cluster;
  }

  async stop(): Promise<void> {
    // startCluster tears down what it started when it fails; a started cluster is stopped here.
    await this.cluster?.stop();
  }
}
