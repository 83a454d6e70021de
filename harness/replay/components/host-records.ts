import { existsSync } from 'node:fs';
import { clusterSupervisor, kubeconfigPath } from '../../../cluster/local/index.ts';
import { removeClusterDirs } from '../../../cluster/local/state.ts';
import type { Component } from '../../../core/component.ts';

/**
 * The host processes (Prometheus, the adapter, kubectl proxy) are supervised under the replay's
 * name; with no local cluster of that name the emptied record directory would show up in `cluster
 * status`, so it goes once they are stopped (this component is first on the stack, so stops last).
 */
export class HostRecordsComponent implements Component {
  readonly name = 'host-records';
  constructor(private readonly cluster: string) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    if (clusterSupervisor(this.cluster).list().length === 0 && !existsSync(kubeconfigPath(this.cluster))) removeClusterDirs(this.cluster);
  }
}
