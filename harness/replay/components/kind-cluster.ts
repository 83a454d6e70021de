import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { kindLoadImage, startKindCluster, type KindCluster, type KindClusterInput } from '../../../cluster/kind/cluster.ts';
import { clusterSupervisor, kubeconfigPath } from '../../../cluster/local/index.ts';
import { removeClusterDirs } from '../../../cluster/local/state.ts';
import { ensureBinaries, type ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import type { Component, ComponentContext } from '../../common/component.ts';
import type { ReplayCluster } from '../warmup.ts';

export interface RunningKindCluster extends ReplayCluster {
  kind: KindCluster;
  hostAddress: string;
}

/** A kind cluster (with vk-eci as its ECI node) owned by this replay, the given images loaded into its node. */
export class KindClusterComponent implements Component {
  readonly name = 'kind-cluster';
  private running: RunningKindCluster | undefined;
  private kind: KindCluster | undefined;

  constructor(private readonly input: KindClusterInput & { name: string }, private readonly images: () => Promise<string[]>, private readonly toolchainProgress?: ToolchainProgress) {}

  async start(ctx: ComponentContext): Promise<void> {
    // The images build while nothing else runs: kind's node start is the larger share and needs them only at load.
    const images = await this.images();
    this.kind = await startKindCluster(this.input, { progress: ctx.progress, toolchainProgress: this.toolchainProgress });
    for (const image of images) {
      ctx.progress?.(`kind load ${image}`);
      await kindLoadImage(this.input.name, image);
    }
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(this.kind.kubeconfig);
    const { kubectl } = await ensureBinaries(['kubectl']);
    const file = this.kind.kubeconfig;
    this.running = {
      name: this.input.name,
      kubeconfig: file,
      kubeConfig,
      virtualNode: this.kind.virtualNode,
      hostAddress: this.kind.hostAddress,
      kind: this.kind,
      kubectl: async (args, o) => String((await execa(kubectl!, ['--kubeconfig', file, ...args], { input: o?.input })).stdout),
    };
  }

  get(): RunningKindCluster {
    if (!this.running) throw new Error('the kind cluster is not started');
    return this.running;
  }

  async stop(): Promise<void> {
    await this.kind?.stop();
    // The replay's host processes were recorded under the same name; with no local cluster of that
    // name, the empty record directory would show up as a cluster in `cluster status`.
    const name = this.input.name;
    if (clusterSupervisor(name).list().length === 0 && !existsSync(kubeconfigPath(name))) removeClusterDirs(name);
  }
}
