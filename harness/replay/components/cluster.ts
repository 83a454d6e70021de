import { startCluster, type ClusterConfigInput, type LocalCluster } from '../../../cluster/local/index.ts';
import type { ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';

/** The local control plane, owned by this process (its death tears the cluster down). */
export class ClusterComponent implements Component {
  readonly name = 'cluster';
  cluster: LocalCluster | undefined;
  /**
   * Resolves once the cluster's name is ours (a leftover cleared): processes started through its
   * supervisor from then on (Prometheus, the adapter) may start while the control plane comes up.
   * Rejects if the start fails before that.
   */
  readonly claimed: Promise<void>;
  private claim!: { resolve: () => void; reject: (e: unknown) => void };

  constructor(private readonly config: ClusterConfigInput, private readonly toolchainProgress?: ToolchainProgress, private readonly opts: { deferControllerManager?: boolean } = {}) {
    this.claimed = new Promise<void>((resolve, reject) => (this.claim = { resolve, reject }));
    // Nobody may wait for it (nothing started beside the cluster): a failed start is reported by start.
    this.claimed.catch(() => {});
  }

  async start(ctx: ComponentContext): Promise<void> {
    try {
      this.cluster = await startCluster(this.config, { ownerPid: process.pid, signal: ctx.signal, progress: ctx.progress, toolchainProgress: this.toolchainProgress, deferControllerManager: this.opts.deferControllerManager, onClaimed: () => this.claim.resolve() });
    } catch (e) {
      this.claim.reject(e);
      throw e;
    }
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
