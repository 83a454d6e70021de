import { z } from 'zod';
import { nodePoolsSchema } from '../nodes/config.ts';
import { hpaFlagsSchema } from './control-plane.ts';

export const clusterConfigSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, 'a DNS label of at most 40 characters (lowercase letters, digits, -)').default('ebbflow'),
  /** Compression factor k: virtual seconds per wall second. Every delay and HPA period is divided by it. */
  compression: z.number().min(1).max(10_000).default(1),
  /** Fixed apiserver port (default: a free one). */
  apiserverPort: z.number().int().min(1).max(65535).optional(),
  hpa: hpaFlagsSchema.default(hpaFlagsSchema.parse({})),
  nodePools: nodePoolsSchema.default(nodePoolsSchema.parse({})),
  /**
   * `external`: kwokctl starts no kube-scheduler; the run starts its own through the cluster's
   * supervisor (a kube-scheduler with a plugin, e.g. cluster/resourcepolicy).
   */
  scheduler: z.enum(['kube-scheduler', 'external']).default('kube-scheduler'),
  /** Seconds to wait for the control plane and every node to be Ready. */
  readyTimeoutSeconds: z.number().positive().default(120),
});
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
