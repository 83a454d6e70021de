import { z } from 'zod';

/**
 * `timeline.jsonl`: one JSON object per line, written by the cluster recorder (harness/recorder)
 * and by the simulator (simulator/), read by assertions, reports and comparisons. Times are
 * virtual epoch milliseconds (`t`), so a compressed cluster replay and a simulation line up.
 *
 * Line 1 is a `meta` record; then `sample` records at a fixed virtual interval and `event` records
 * whenever something happens. Readers must ignore unknown fields (forward compatibility) but the
 * writer validates against these schemas.
 */

export const TIMELINE_VERSION = 1;

export const nodeTypeSchema = z.enum(['ecs', 'eci']);
export type NodeType = z.infer<typeof nodeTypeSchema>;

export const metaSchema = z.object({
  kind: z.literal('meta'),
  version: z.literal(TIMELINE_VERSION),
  source: z.enum(['cluster', 'simulator']),
  scenario: z.string(),
  /** Virtual time of the first sample and of the end of the replay window(s). */
  start: z.number(),
  end: z.number(),
  /** Compression factor k: virtual seconds per wall second (1 for the simulator). */
  compression: z.number().positive(),
  /** Every rescaled time constant, in virtual seconds, by name (e.g. hpaSyncPeriod: 15). */
  constants: z.record(z.string(), z.number()),
  /** Capacity one ready replica serves (devices per replica): needed = ceil(devices / this). */
  devicesPerReplica: z.number().positive(),
  sourceMax: z.number().int().nonnegative(),
  seed: z.number().int().optional(),
  notes: z.array(z.string()).default([]),
  /**
   * The replayed windows in virtual epoch ms, in order. Windows are replayed back to back, so the
   * time between them was skipped, not observed; reports draw one panel per window. Optional: a
   * reader without it splits the samples at gaps.
   */
  windows: z.array(z.object({ start: z.number(), end: z.number() })).optional(),
  /** The scenario's IANA time zone: reports show times on its clock and name it. Absent: UTC. */
  timeZone: z.string().optional(),
});
export type TimelineMeta = z.infer<typeof metaSchema>;

const podCountsSchema = z.object({
  ready: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative().default(0),
});
export type PodCounts = z.infer<typeof podCountsSchema>;

export const sampleSchema = z.object({
  kind: z.literal('sample'),
  t: z.number(),
  /** Curve value (true active devices) at t. */
  devices: z.number().nonnegative(),
  /** The metric value the HPA last saw (after SLS window, exporter, scrape, adapter); null if none. */
  metric: z.number().nullable(),
  /** Replicas needed to serve `devices`: ceil(devices / devicesPerReplica). */
  needed: z.number().int().nonnegative(),
  hpa: z.object({ desired: z.number().int().nonnegative(), current: z.number().int().nonnegative() }),
  ew: z.object({
    replicas: z.number().int().nonnegative(),
    source: z.number().int().nonnegative(),
    /** Unit Deployment name → its spec.replicas. */
    units: z.record(z.string(), z.number().int().nonnegative()),
  }),
  pods: z.object({ ecs: podCountsSchema, eci: podCountsSchema }),
  /**
   * Virtual seconds between t (the sample's scheduled time) and when the recorder read the state,
   * when at least one: a busy process samples late rather than not at all, and the state is that of
   * the later instant. Absent on time (and always for the simulator).
   */
  lateSeconds: z.number().nonnegative().optional(),
});
export type TimelineSample = z.infer<typeof sampleSchema>;

export const eventTypeSchema = z.enum([
  'hpa.rescale', // HPA changed desired replicas (from → to, reason)
  'hpa.condition', // HPA condition changed (reason)
  'ew.split', // ElasticWorkload changed the source/unit split
  'pod.created',
  'pod.scheduled',
  'pod.ready',
  'pod.deleted',
  'pod.failed',
  'metric.published', // a pipeline stage published a new value (stage in `object`)
  'note',
]);
export type TimelineEventType = z.infer<typeof eventTypeSchema>;

export const eventSchema = z.object({
  kind: z.literal('event'),
  t: z.number(),
  type: eventTypeSchema,
  object: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  node: z.string().optional(),
  nodeType: nodeTypeSchema.optional(),
  /**
   * Which Deployment a pod belongs to: 'source' for the placement's cheapest tier (the workload's own
   * Deployment), else the overflow Deployment's name (an ElasticWorkload unit). `core/checks/tiers.ts`.
   */
  owner: z.string().optional(),
});
export type TimelineEvent = z.infer<typeof eventSchema>;

export const recordSchema = z.discriminatedUnion('kind', [metaSchema, sampleSchema, eventSchema]);
export type TimelineRecord = z.infer<typeof recordSchema>;

export interface Timeline {
  meta: TimelineMeta;
  samples: TimelineSample[];
  events: TimelineEvent[];
}
