import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { startKindCluster, stopKindCluster, type KindCluster, type KindClusterInput } from '../../../cluster/kind/cluster.ts';
import { ensureBakedNodeImage } from '../../../cluster/kind/image-load.ts';
import { ensureKindNodeImage } from '../../../cluster/kind/node-image.ts';
import { ensureBinaries, type ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import { Interrupted, type Component, type ComponentContext } from '../../../core/component.ts';
import type { SetupTiming } from '../backend.ts';
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
  private creating = false;

  /** Where the start's seconds went (image build, kind create, kind load), on the run's clock. */
  readonly phases: SetupTiming[] = [];

  constructor(private readonly input: KindClusterInput & { name: string }, private readonly images: () => Promise<string[]>, private readonly toolchainProgress?: ToolchainProgress, private readonly clock: () => number = () => 0) {}

  private async phase<T>(component: string, step: () => Promise<T>): Promise<T> {
    const from = this.clock();
    const v = await step();
    this.phases.push({ component, from, to: this.clock() });
    return v;
  }

  async start(ctx: ComponentContext): Promise<void> {
    // The run's images are baked into the node image once per content (ensureBakedNodeImage), so
    // the node starts with them: no import while or after `kind create` on a warm machine, and no
    // check either (asking the node's CRI for two IDs took 6.7 s at load 13).
    const images = await this.phase('images', () => this.images());
    const nodeImage = await this.phase('node image', async () => ensureBakedNodeImage(await ensureKindNodeImage({ progress: ctx.progress, toolchainProgress: this.toolchainProgress }), images, { progress: ctx.progress }));
    if (ctx.signal?.aborted) throw new Interrupted('interrupted before the kind cluster was created');
    this.creating = true;
    let open: SetupTiming | undefined;
    const step = (component: string) => {
      if (open) open.to = this.clock();
      open = { component, from: this.clock(), to: this.clock() };
      this.phases.push(open);
    };
    this.kind = await startKindCluster({ ...this.input, nodeImage }, { progress: ctx.progress, toolchainProgress: this.toolchainProgress, step }).finally(() => {
      if (open) open.to = this.clock();
    });
    const kind = this.kind;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kind.kubeconfig);
    const { kubectl } = await ensureBinaries(['kubectl']);
    const file = kind.kubeconfig;
    this.running = {
      name: this.input.name,
      kubeconfig: file,
      kubeConfig,
      virtualNode: kind.virtualNode,
      hostAddress: kind.hostAddress,
      kind,
      kubectl: async (args, o) => String((await execa(kubectl!, ['--kubeconfig', file, ...args], { input: o?.input })).stdout),
    };
  }

  get(): RunningKindCluster {
    if (!this.running) throw new Error('the kind cluster is not started');
    return this.running;
  }

  async stop(): Promise<void> {
    // A stop that comes while `kind create` still runs (Ctrl-C, a start that outlived the stack's
    // patience) deletes the cluster by name: nothing of it may outlive the replay.
    if (this.kind) await this.kind.stop();
    else if (this.creating) await stopKindCluster(this.input.name);
  }
}
