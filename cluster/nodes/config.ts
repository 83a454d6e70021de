import { z } from 'zod';
import { isQuantity } from '../../core/units.ts';

/**
 * Node pools of the local cluster. Defaults mirror a small ACK cluster: subscription ECS nodes in
 * one pool plus the ECI virtual node that ACK's virtual-kubelet add-on registers.
 */

// A capacity goes verbatim into the Node's status: no surrounding spaces, never negative (units.ts
// itself trims and takes signed quantities, as the HPA's metric values can be).
const isCapacity = (q: string) => q === q.trim() && isQuantity(q) && !q.startsWith('-');
const quantity = z.union([z.string().refine(isCapacity, 'a Kubernetes quantity like "4", "500m" or "16Gi"'), z.number().positive()]);
const seconds = z.number().nonnegative();

export const ecsPoolSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label (lowercase letters, digits, -)'),
  count: z.number().int().nonnegative().max(5000),
  instanceType: z.string().default('ecs.g7.xlarge'),
  cpu: quantity.default('4'),
  memory: quantity.default('16Gi'),
  pods: z.number().int().positive().default(64),
  /** Node-local ephemeral storage pods can request (the system disk: 40–120 GiB on ACK nodes). */
  ephemeralStorage: quantity.default('100Gi'),
  labels: z.record(z.string(), z.string()).default({}),
  /** Pod start: Ready after uniform [min, max] seconds (virtual time). */
  startLatency: z.strictObject({ min: seconds.default(1), max: seconds.default(3) }).default({ min: 1, max: 3 }),
});
export type EcsPool = z.infer<typeof ecsPoolSchema>;

export const latencySchema = z.strictObject({
  /** Instance start before the image pull (ECI ≈ 10 s). */
  startSeconds: seconds.default(10),
  /** Image pull time, uniform in [min, max]; ~5 s with an image cache, up to ~50 s without. */
  imagePull: z.strictObject({ min: seconds.default(2), max: seconds.default(8) }).default({ min: 2, max: 8 }),
  /** Extra symmetric jitter, uniform in [-jitter, +jitter] seconds, floored at zero overall. */
  jitterSeconds: seconds.default(1),
});
export type EciLatency = z.infer<typeof latencySchema>;

export const eciFailureSchema = z.strictObject({
  /** pending: the pod never starts (stays Pending with a reason); failed: phase Failed. */
  mode: z.enum(['pending', 'failed']).default('pending'),
  reason: z.string().default('ProviderInventoryNotEnough'),
  message: z.string().default('ECI: the specified instance type is out of stock in this zone (simulated)'),
  /** Share of new ECI pods that fail, drawn from the seeded generator. */
  probability: z.number().min(0).max(1).default(0),
  /** Pods whose name matches this regular expression fail. */
  podNamePattern: z.string().optional(),
  /** Only the first N ECI pods matching the rules fail (then inventory "recovers"). */
  maxFailures: z.number().int().nonnegative().optional(),
});
export type EciFailure = z.infer<typeof eciFailureSchema>;

export const eciNodeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  region: z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/, 'an Alibaba Cloud region id like cn-hangzhou').default('cn-hangzhou'),
  zone: z.string().regex(/^[a-z0-9]+$/, 'a zone letter like i').default('i'),
  cpu: quantity.default('1000'),
  memory: quantity.default('4Ti'),
  pods: z.number().int().positive().default(5000),
  ephemeralStorage: quantity.default('100Ti'),
  startLatency: latencySchema.default(latencySchema.parse({})),
  failures: eciFailureSchema.default(eciFailureSchema.parse({})),
});
export type EciNode = z.infer<typeof eciNodeSchema>;

export const nodePoolsSchema = z.strictObject({
  ecs: z.array(ecsPoolSchema).default([{ ...ecsPoolSchema.parse({ name: 'ecs', count: 3 }) }]),
  eci: eciNodeSchema.default(eciNodeSchema.parse({})),
  seed: z.number().int().default(1),
});
export type NodePools = z.infer<typeof nodePoolsSchema>;

export function defaultNodePools(): NodePools {
  return nodePoolsSchema.parse({});
}

export function virtualNodeName(eci: Pick<EciNode, 'region' | 'zone'>): string {
  return `virtual-kubelet-${eci.region}-${eci.zone}`;
}

export function checkNodePools(p: NodePools): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  p.ecs.forEach((pool, i) => {
    if (names.has(pool.name)) errors.push(`ecs[${i}].name: duplicate pool name "${pool.name}"`);
    names.add(pool.name);
    if (pool.startLatency.min > pool.startLatency.max) errors.push(`ecs[${i}].startLatency: min ${pool.startLatency.min} > max ${pool.startLatency.max}`);
  });
  const pull = p.eci.startLatency.imagePull;
  if (pull.min > pull.max) errors.push(`eci.startLatency.imagePull: min ${pull.min} > max ${pull.max}`);
  if (p.eci.failures.podNamePattern !== undefined) {
    try {
      new RegExp(p.eci.failures.podNamePattern);
    } catch (e) {
      errors.push(`eci.failures.podNamePattern: ${(e as Error).message}`);
    }
  }
  return errors;
}
