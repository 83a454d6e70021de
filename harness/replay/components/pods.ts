import { CoreV1Api } from '@kubernetes/client-node';
import { ensureBinaries } from '../../../cluster/toolchain/index.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { freePort, startManaged, waitUntil, type ManagedProcess } from '../../pipeline/process.ts';
import { deployPods, type ExporterPods, type PodTarget } from './pod-objects.ts';

/**
 * The exporter as pods from the manifests, Ready (or only Running, `until`) before the next component starts. Nothing to stop:
 * the kind backend deletes the cluster, the existing backend its namespace.
 */
export class ExporterPodsComponent implements Component {
  readonly name = 'exporter-pods';

  constructor(private readonly target: () => PodTarget, private readonly pods: () => ExporterPods, private readonly until: 'ready' | 'running' = 'ready') {}

  async start(ctx: ComponentContext): Promise<void> {
    const target = this.target();
    const core = target.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: target.namespace } } }).catch((e: unknown) => {
      if ((e as { code?: number }).code !== 409) throw e;
    });
    ctx.progress?.(`exporter pods in ${target.namespace}`);
    await deployPods(target, this.pods(), { signal: ctx.signal, until: this.until });
  }

  async stop(): Promise<void> {}
}

export interface RunningProxy extends ManagedProcess {
  /** http://127.0.0.1:<port>: the API server, authenticated with the kubeconfig's credentials. */
  url: string;
}

/**
 * `kubectl proxy` on loopback: Prometheus and the warm-up read the exporter pod through the API
 * server's service proxy without handling the cluster's client certificates themselves.
 */
export class KubectlProxyComponent implements Component {
  readonly name = 'kubectl-proxy';
  proxy: RunningProxy | undefined;

  constructor(private readonly opts: () => { cluster: string; dir: string; kubeconfig: string }) {}

  async start(): Promise<void> {
    const o = this.opts();
    const { kubectl } = await ensureBinaries(['kubectl']);
    const port = await freePort();
    const proc = startManaged({ cluster: o.cluster, label: 'kubectl-proxy', bin: kubectl!, args: ['--kubeconfig', o.kubeconfig, 'proxy', '--address=127.0.0.1', `--port=${port}`], logFile: `${o.dir}/kubectl-proxy.log` });
    const url = `http://127.0.0.1:${port}`;
    this.proxy = { ...proc, url };
    await waitUntil('kubectl proxy to answer', 30_000, async () => ((await fetch(`${url}/version`)).ok ? true : undefined), () => proc.logTail());
  }

  get(): RunningProxy {
    if (!this.proxy) throw new Error('kubectl proxy is not started');
    return this.proxy;
  }

  async stop(): Promise<void> {
    await this.proxy?.stop();
  }
}
