import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** What a kind's replay components get: the cluster (once it is up), the run's namespace, the log, the run's clock. */
export interface ReplayContext {
  kubeConfig: () => KubeConfig;
  namespace: string;
  logger?: Logger;
  /** The run's virtual clock (virtual epoch ms; `toWall` the wall ms a virtual instant falls on; `k` the compression). */
  clock?: { now(): number; toWall(virtualMs: number): number; readonly k: number };
  /**
   * Where a kind's controller runs as a process beside the cluster (OpenKruise's manager): the
   * cluster's name (its supervisor), the run's directory, the kubeconfig's path and the address the
   * API server reaches this machine at (default loopback). Absent on a backend that offers none.
   */
  host?: () => { cluster: string; dir: string; kubeconfig: string; address?: string };
}
