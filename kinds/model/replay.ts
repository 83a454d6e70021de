import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** What a kind's replay components get: the cluster (once it is up), the run's namespace, the log. */
export interface ReplayContext {
  kubeConfig: () => KubeConfig;
  namespace: string;
  logger?: Logger;
}
