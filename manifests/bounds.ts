import { z } from 'zod';
import { formatIssue, type ConfigIssue } from '../core/config.ts';
import { UserError } from '../core/errors.ts';
import { isQuantity, parseDuration, parseQuantity } from '../core/units.ts';
import { SCENARIO_BOUNDS as B, type Bound } from '../scenarios/bounds.ts';
import { positionOf, type Path } from './positions.ts';

/**
 * Every value a run takes from a team's manifests is held to the bounds the same value has in a
 * scenario (scenarios/bounds.ts): an HPA with `maxReplicas: 2000000000` or an `averageValue` of
 * "0", "-800" or "800Ei" is refused here, before any work, naming the manifest's file, line and
 * field and the allowed range — not left to crash a simulation or a cluster later. Checked on the
 * objects discovery found (the HPA as autoscaling/v2, what it scales, the workload, the scrape
 * monitor), with zod; each issue is located through positions.ts.
 */

/** Bounds of values only manifests carry (the scenario has no field for them). */
export const MANIFEST_BOUNDS = {
  metrics: { min: 0, max: 16, unit: 'metrics', why: 'spec.metrics of the HPA; each is evaluated at every sync' },
  averageUtilization: { min: 1, max: 2_147_483_647, unit: '%', why: 'a Utilization target: a positive int32, as the API server stores it' },
  podCpuCores: { min: 0, max: 1000, unit: 'cores', why: 'a container\'s CPU request: the ECI virtual node\'s capacity; more fits no node' },
  podMemoryBytes: { min: 0, max: 4 * 2 ** 40, unit: 'bytes (4Ti)', why: 'a container\'s memory request: the ECI virtual node\'s capacity; more fits no node' },
  containers: { min: 1, max: 64, unit: 'containers', why: 'the workload pod\'s containers, whose requests are summed' },
  cronJobs: { min: 1, max: 64, unit: 'jobs', why: 'spec.jobs of a CronHPA; each is a timer of the controller and a schedule of the model' },
  excludeDates: { min: 0, max: 64, unit: 'dates', why: 'spec.excludeDates of a CronHPA; each is a cron read at every firing' },
  kedaPollingSeconds: { min: 1, max: 3600, unit: 's', why: 'a ScaledObject\'s pollingInterval: how often KEDA checks activity' },
  kedaCooldownSeconds: { min: 0, max: 86_400, unit: 's', why: 'a ScaledObject\'s cooldownPeriod before it scales to zero' },
  kedaFailureThreshold: { min: 1, max: 1000, unit: 'failed reads', why: 'a ScaledObject\'s fallback.failureThreshold' },
} as const satisfies Record<string, Bound>;

type Check = (v: unknown) => string | undefined;

/** Issues listed in one error; the rest are counted. */
const MAX_SHOWN = 20;

const show = (v: unknown) => {
  const s = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : typeof v === 'object' ? (Array.isArray(v) ? 'a list' : 'a mapping') : String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** A zod field running one check; absent (undefined or null, as Kubernetes reads it) passes unless required. */
function field(check: Check, required = false) {
  const s = z.unknown().superRefine((v, ctx) => {
    if (v === null && !required) return;
    const message = check(v);
    if (message) ctx.addIssue({ code: 'custom', message });
  });
  return required ? s : s.optional();
}

const intIn = (b: Bound, min = b.min ?? 0): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= b.max ? undefined : `must be an integer between ${min} and ${b.max} ${b.unit}, got ${show(v)}`;

/** A Kubernetes quantity (string or number) whose value passes `ok`; `range` words it. */
const quantityIn = (ok: (n: number) => boolean, range: string): Check => (v) => {
  if (typeof v !== 'number' && !(typeof v === 'string' && isQuantity(v))) return `must be a Kubernetes quantity ${range}, got ${show(v)}`;
  return ok(parseQuantity(v)) ? undefined : `must be ${range}, got ${show(v)}`;
};

const targetRange = `above 0 and at most ${B.metricTarget.max}`;
const targetQuantity = quantityIn((n) => n > 0 && n <= B.metricTarget.max, targetRange);
const enumOf = (values: readonly string[]): Check => (v) => (typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}, got ${show(v)}`);
const list = <T extends z.ZodType>(item: T, b: Bound) => z.array(item, { error: (i) => `must be a list, got ${show(i.input)}` }).max(b.max, { error: `at most ${b.max} ${b.unit}` }).nullish();
const mapping = <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape, { error: (i) => `must be a mapping, got ${show(i.input)}` });

const metricTarget = mapping({
  type: field(enumOf(['Value', 'AverageValue', 'Utilization'])),
  value: field(targetQuantity),
  averageValue: field(targetQuantity),
  averageUtilization: field(intIn(MANIFEST_BOUNDS.averageUtilization)),
});
const metricSource = mapping({ target: metricTarget.nullish() }).nullish();
const metric = mapping({ type: field(enumOf(['Object', 'Pods', 'Resource', 'ContainerResource', 'External']), true), object: metricSource, pods: metricSource, resource: metricSource, containerResource: metricSource, external: metricSource })
  .superRefine((m, ctx) => {
    // The pipeline feeds Object metrics: their target is read as a number, so it must be there.
    const t = (m.object as { target?: { type?: unknown; value?: unknown; averageValue?: unknown } } | null | undefined)?.target;
    if (m.type !== 'Object' || !t) return;
    if (t.type === 'Value' && t.value === undefined) ctx.addIssue({ code: 'custom', path: ['object', 'target', 'value'], message: `is missing (target type Value); must be ${targetRange}` });
    if (t.type === 'AverageValue' && t.averageValue === undefined) ctx.addIssue({ code: 'custom', path: ['object', 'target', 'averageValue'], message: `is missing (target type AverageValue); must be ${targetRange}` });
    if (t.type === 'Utilization') ctx.addIssue({ code: 'custom', path: ['object', 'target', 'type'], message: 'an Object metric\'s target is Value or AverageValue' });
  });

const policy = mapping({
  type: field(enumOf(['Pods', 'Percent']), true),
  value: field(intIn(B.policyValue), true),
  periodSeconds: field(intIn(B.policyPeriodSeconds), true),
});
const rules = mapping({
  stabilizationWindowSeconds: field(intIn(B.stabilizationSeconds)),
  selectPolicy: field(enumOf(['Max', 'Min', 'Disabled'])),
  policies: list(policy, B.policies),
  tolerance: field(quantityIn((n) => n >= B.tolerance.min && n <= B.tolerance.max, `between ${B.tolerance.min} and ${B.tolerance.max}`)),
}).nullish();

/** min ≤ max where both are set, reported at min. */
function ordered(o: { min?: unknown; max?: unknown } | { minReplicas?: unknown; maxReplicas?: unknown }, ctx: z.RefinementCtx, keys: [string, string]): void {
  const [lo, hi] = keys.map((k) => (o as Record<string, unknown>)[k]);
  if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) ctx.addIssue({ code: 'custom', path: [keys[0]], message: `${lo} is above ${keys[1]} ${hi}` });
}

const hpaSpec = mapping({
  minReplicas: field(intIn(B.replicas, 1)),
  maxReplicas: field(intIn(B.replicas, 1), true),
  metrics: list(metric, MANIFEST_BOUNDS.metrics),
  behavior: mapping({ scaleUp: rules, scaleDown: rules }).nullish(),
}).superRefine((s, ctx) => ordered(s, ctx, ['minReplicas', 'maxReplicas']));

/** A trigger's target and activation: quantities in its metadata (strings, as KEDA reads them). */
const triggerMetadata = mapping({
  targetValue: field(targetQuantity),
  threshold: field(targetQuantity),
  activationValue: field(quantityIn((n) => n >= 0 && n <= B.metricTarget.max, `at least 0 and at most ${B.metricTarget.max}`)),
  activationThreshold: field(quantityIn((n) => n >= 0 && n <= B.metricTarget.max, `at least 0 and at most ${B.metricTarget.max}`)),
}).nullish();
const M = MANIFEST_BOUNDS;
const scaledObjectSpec = mapping({
  minReplicaCount: field(intIn(B.replicas, 0)),
  maxReplicaCount: field(intIn(B.replicas, 1)),
  idleReplicaCount: field((v) => (v === 0 ? undefined : `must be 0 (a nonzero idle count makes KEDA and its HPA fight), got ${show(v)}`)),
  pollingInterval: field(intIn(M.kedaPollingSeconds)),
  cooldownPeriod: field(intIn(M.kedaCooldownSeconds)),
  fallback: mapping({ failureThreshold: field(intIn(M.kedaFailureThreshold), true), replicas: field(intIn(B.replicas, 1), true) }).nullish(),
  advanced: mapping({
    horizontalPodAutoscalerConfig: mapping({ behavior: mapping({ scaleUp: rules, scaleDown: rules }).nullish() }).nullish(),
    scalingModifiers: mapping({ target: field(targetQuantity), metricType: field(enumOf(['Value', 'AverageValue'])) }).nullish(),
  }).nullish(),
  triggers: z.array(mapping({ type: field((v) => (typeof v === 'string' && v ? undefined : `must be a trigger type, got ${show(v)}`), true), metricType: field(enumOf(['Value', 'AverageValue'])), metadata: triggerMetadata }), { error: (i) => `must be a list, got ${show(i.input)}` }).min(1, { error: 'at least one trigger' }).max(M.metrics.max, { error: `at most ${M.metrics.max} triggers` }),
}).superRefine((s, ctx) => {
  const lo = s.minReplicaCount;
  const hi = s.maxReplicaCount ?? 100;
  if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) ctx.addIssue({ code: 'custom', path: ['minReplicaCount'], message: `${lo} is above maxReplicaCount ${hi}` });
});

const replicas = field(intIn(B.replicas));
const ewSpec = mapping({
  replicas,
  sourceTarget: mapping({ min: replicas, max: replicas }).superRefine((s, ctx) => ordered(s, ctx, ['min', 'max'])).nullish(),
  elasticUnit: list(mapping({ min: replicas, max: replicas }).superRefine((s, ctx) => ordered(s, ctx, ['min', 'max'])), B.units),
});

const cronHpaSpec = mapping({
  jobs: list(mapping({ targetSize: field(intIn(B.replicas), true) }), MANIFEST_BOUNDS.cronJobs),
  excludeDates: list(z.unknown(), MANIFEST_BOUNDS.excludeDates),
});

const C = MANIFEST_BOUNDS;
const requests = mapping({
  cpu: field(quantityIn((n) => n >= C.podCpuCores.min && n <= C.podCpuCores.max, `between ${C.podCpuCores.min} and ${C.podCpuCores.max} ${C.podCpuCores.unit}`)),
  memory: field(quantityIn((n) => n >= C.podMemoryBytes.min && n <= C.podMemoryBytes.max, `between ${C.podMemoryBytes.min} and ${C.podMemoryBytes.max} ${C.podMemoryBytes.unit}`)),
}).nullish();
const workloadSpec = mapping({
  replicas,
  template: mapping({ spec: mapping({ containers: list(mapping({ resources: mapping({ requests }).nullish() }), C.containers) }).nullish() }).nullish(),
});

type Obj = { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: unknown; [k: string]: unknown };

/*
 * The shapes discovery and the system's resolution read, checked before them: a `spec` that is a
 * string, `metrics: 0` or a label that is a list is the manifest's error at its line, not a
 * TypeError inside discovery. Only the kinds discovery looks at, only the fields it reads.
 */
const text = z.string({ error: (i) => `must be a string, got ${show(i.input)}` });
const labels = z.record(z.string(), text, { error: (i) => `must be a mapping of strings, got ${show(i.input)}` }).nullish();
const anyList = z.array(z.unknown(), { error: (i) => `must be a list, got ${show(i.input)}` }).nullish();
const meta = mapping({ name: text.optional(), namespace: text.optional(), labels, annotations: labels }).nullish();
const opt = <T extends z.core.$ZodLooseShape>(shape: T) => mapping(shape).nullish();
const listOf = <T extends z.ZodType>(item: T) => z.array(item, { error: (i) => `must be a list, got ${show(i.input)}` }).nullish();
const source = opt({ target: opt({}), describedObject: opt({ kind: text.optional(), name: text.optional() }), metric: opt({ selector: opt({}) }), metricName: text.optional() });
const rulesShape = opt({ policies: listOf(mapping({})) });
const endpoint = mapping({ interval: z.union([text, z.number()]).optional(), path: text.optional(), port: z.union([text, z.number()]).optional(), targetPort: z.union([text, z.number()]).optional(), relabelings: listOf(mapping({})), metricRelabelings: listOf(mapping({})) });
const monitor = opt({ selector: opt({ matchLabels: labels }), endpoints: listOf(endpoint), podMetricsEndpoints: listOf(endpoint) });
const podTemplate = opt({ metadata: opt({ labels, annotations: labels }), spec: opt({ containers: listOf(mapping({ resources: opt({ requests: opt({}) }) })), volumes: anyList }) });
const SHAPES: Record<string, z.ZodType> = {
  HorizontalPodAutoscaler: mapping({ metadata: meta, spec: mapping({ scaleTargetRef: opt({ kind: text.optional(), name: text.optional() }), metrics: listOf(mapping({ type: text.optional(), object: source, pods: source, resource: source, containerResource: source, external: source })), behavior: opt({ scaleUp: rulesShape, scaleDown: rulesShape }) }) }),
  ScaledObject: mapping({ metadata: meta, spec: mapping({ scaleTargetRef: opt({ kind: text.optional(), name: text.optional() }), triggers: listOf(mapping({ type: text.optional(), name: text.optional(), metadata: labels })), advanced: opt({ scalingModifiers: opt({ formula: text.optional() }), horizontalPodAutoscalerConfig: opt({ behavior: opt({ scaleUp: rulesShape, scaleDown: rulesShape }) }) }) }) }),
  ElasticWorkload: mapping({ metadata: meta, spec: mapping({ sourceTarget: opt({ kind: text.optional(), name: text.optional() }), elasticUnit: listOf(mapping({ name: text.optional() })) }) }),
  Deployment: mapping({ metadata: meta, spec: mapping({ template: podTemplate }) }),
  StatefulSet: mapping({ metadata: meta, spec: mapping({ template: podTemplate }) }),
  Service: mapping({ metadata: meta, spec: opt({ selector: labels }) }),
  ConfigMap: mapping({ metadata: meta, data: labels }),
  ServiceMonitor: mapping({ metadata: meta, spec: monitor }),
  PodMonitor: mapping({ metadata: meta, spec: monitor }),
  CronHorizontalPodAutoscaler: mapping({ metadata: meta, spec: mapping({ scaleTargetRef: opt({ kind: text.optional(), name: text.optional() }), jobs: listOf(mapping({ name: text.optional(), schedule: text.optional() })), excludeDates: listOf(text) }) }),
};

/** Refuses objects of the kinds discovery reads whose fields have the wrong shape, at their lines. */
export function checkManifestShapes(objects: { object: Obj; file: string }[]): void {
  const issues: ConfigIssue[] = [];
  for (const { object: o, file } of objects) {
    const schema = typeof o.kind === 'string' && Object.hasOwn(SHAPES, o.kind) ? SHAPES[o.kind] : undefined;
    for (const i of schema?.safeParse(o).error?.issues ?? []) {
      const path = i.path as (string | number)[];
      const m = o.metadata && typeof o.metadata === 'object' ? o.metadata : {};
      const name = `${typeof m.namespace === 'string' ? m.namespace : 'default'}/${typeof m.name === 'string' ? m.name : '?'}`;
      issues.push({ ...(positionOf(o, path) ?? { file, line: 0, column: 0 }), field: `${o.kind} ${name}: ${dotted(path)}`, message: i.message });
    }
  }
  refuse(issues, 'fix the field: discovery reads these as Kubernetes defines them');
}

const dotted = (path: Path) => path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');

function refuse(issues: ConfigIssue[], hint: string): void {
  if (!issues.length) return;
  const shown = issues.slice(0, MAX_SHOWN).map(formatIssue);
  if (issues.length > MAX_SHOWN) shown.push(`... and ${issues.length - MAX_SHOWN} more`);
  throw new UserError(shown.join('\n'), hint);
}

/** What the bounds check reads: discovery's result (structurally, so this module stays below discovery). */
export interface BoundedSystem {
  hpa: Obj;
  /** The placement kind's own object (an ElasticWorkload today); absent when the HPA scales the workload. */
  placement?: Obj;
  workload: Obj;
  /** A schedule beside the HPA (a CronHPA), when discovery found one. */
  schedule?: Obj;
  scrape: { via: string; intervalSeconds: number };
  fileOf(o: Obj): string;
}

/**
 * Refuses, in one UserError listing each (at most 20), the values of `d` outside the bounds.
 * `objects` are every object loaded: an HPA converted from v2beta1 is located in its original.
 */
export function checkManifestBounds(d: BoundedSystem, objects: Obj[]): void {
  const issues: ConfigIssue[] = [];
  const id = (o: Obj) => `${o.kind} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`;
  const original = (o: Obj) => objects.find((x) => x !== o && x.kind === o.kind && x.metadata?.name === o.metadata?.name && x.metadata?.namespace === o.metadata?.namespace);
  const add = (o: Obj, path: Path, message: string) => {
    const pos = positionOf(o, path) ?? (original(o) ? positionOf(original(o)!, path) : undefined);
    const field = dotted(path);
    issues.push(pos
      ? { ...pos, field: `${id(o)}: ${field}`, message }
      : { file: d.fileOf(o), line: 0, column: 0, field: `${id(o)}: ${field}`, message: `${message} (as rendered: a kustomize patch or transformer sets it, so it has no line of its own)` });
  };
  const check = (o: Obj | undefined, schema: z.ZodType) => {
    if (!o) return;
    const r = schema.safeParse(o.spec ?? {});
    for (const i of r.error?.issues ?? []) add(o, ['spec', ...(i.path as (string | number)[])], i.message);
  };
  check(d.hpa, d.hpa.kind === 'ScaledObject' ? scaledObjectSpec : hpaSpec);
  if (d.placement?.kind === 'ElasticWorkload') check(d.placement, ewSpec);
  check(d.workload, workloadSpec);
  if (d.schedule?.kind === 'CronHorizontalPodAutoscaler') check(d.schedule, cronHpaSpec);
  checkScrapeInterval(d, objects, add);
  refuse(issues, 'change the value in the manifests (for a test only, a kustomize overlay can patch it); a scenario override does not lift a bound — the bounds are those of scenarios/README.md, "Bounds"');
}

/** The monitor's scrape interval bounds the pipeline like the scenario's pipeline.scrapeIntervalSeconds. */
function checkScrapeInterval(d: BoundedSystem, objects: Obj[], add: (o: Obj, path: Path, message: string) => void): void {
  const s = d.scrape.intervalSeconds;
  const b = B.intervalSeconds;
  if (s >= b.min! && s <= b.max) return;
  const key = d.scrape.via === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints';
  const interval = (o: Obj) => ((o.spec as Record<string, { interval?: unknown }[] | undefined> | undefined)?.[key]?.[0]?.interval);
  const m = objects.find((o) => o.kind === d.scrape.via && (() => {
    try {
      return parseDuration(interval(o) as string) === s;
    } catch {
      return false;
    }
  })());
  if (m) add(m, ['spec', key, 0, 'interval'], `must be between ${b.min} and ${b.max} s (like pipeline.scrapeIntervalSeconds), got ${show(interval(m))}`);
}
