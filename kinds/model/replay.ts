import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** What a kind's replay components get: the cluster (once it is up), the run's namespace, the log, the run's clock. */
export interface ReplayContext {
  kubeConfig: () => KubeConfig;
  namespace: string;
  logger?: Logger;
  /** The run's virtual clock (virtual epoch ms; `toWall` the wall ms a virtual instant falls on; `k` the compression). */
  clock?: { now(): number; toWall(virtualMs: number): number; readonly k: number };
}
