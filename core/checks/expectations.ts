import { z } from 'zod';

/**
 * What a scenario can expect of a replay (or a simulation): each kind is checked by a pure function
 * over the timeline in `checks.ts`. Times are virtual seconds.
 */
export const expectationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('replicaBounds'),
    /** Which series: the HPA's desired count or the ElasticWorkload's replicas. */
    of: z.enum(['hpa.desired', 'ew.replicas']).default('ew.replicas'),
    min: z.number().int().nonnegative().default(0),
    max: z.number().int().positive(),
  }),
  z.strictObject({ type: z.literal('sourceNeverAboveMax') }),
  z.strictObject({ type: z.literal('overflowOnlyOnVirtualNode') }),
  z.strictObject({ type: z.literal('scaleDownOrder') }),
  z.strictObject({
    type: z.literal('reactionTime'),
    /**
     * Desired replicas reach the needed level (capped at maxReplicas; without it, at the HPA's
     * maxReplicas when the run knows it) within this many seconds. The summary and the baseline
     * diff measure the slowest reaction with the first such expectation's cap and tolerance.
     */
    withinSeconds: z.number().positive(),
    maxReplicas: z.number().int().positive().optional(),
    /**
     * The HPA's tolerance band (0.1 by default in Kubernetes): a rise counts as met once desired ≥
     * ceil(devices / (devicesPerReplica × (1 + tolerance))). 0 asks for the exact needed level.
     */
    tolerance: z.number().min(0).max(1).default(0),
  }),
  z.strictObject({ type: z.literal('maxDirectionChangesPerHour'), max: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('sloCoverage'), minPercent: z.number().min(0).max(100) }),
  z.strictObject({ type: z.literal('eciPodHours'), max: z.number().nonnegative() }),
  z.strictObject({
    type: z.literal('eciCost'),
    max: z.number().nonnegative(),
    /**
     * Price of one ECI pod-hour. Without it, the run's prices (`cost:`, `--cost FILE`, else the
     * built-in ones) at the pod's requests: `max` is then in their currency, over the observed time.
     */
    pricePerPodHour: z.number().nonnegative().optional(),
  }),
  z.strictObject({
    type: z.literal('baseline'),
    /** Path of a baseline timeline.jsonl; `--baseline FILE` on the command line overrides it. */
    file: z.string().optional(),
    of: z.enum(['hpa.desired', 'ew.replicas']).default('ew.replicas'),
    /** Replicas a sample may differ from the baseline at the same offset. */
    toleranceReplicas: z.number().nonnegative().default(1),
    /** Share of samples that must be within tolerance. */
    minAgreementPercent: z.number().min(0).max(100).default(98),
  }),
]);
export type Expectation = z.infer<typeof expectationSchema>;
export type ExpectationInput = z.input<typeof expectationSchema>;

export interface CheckResult {
  /** Stable name for JUnit: the expectation type and its main parameter. */
  name: string;
  passed: boolean;
  /** One line a person reads first. */
  message: string;
  /** Virtual time of the first violation, if any. */
  at?: number;
  value?: number;
}
