import { z } from 'zod';
import { expectationSchema } from '../core/checks/expectations.ts';
import { isDuration } from '../core/units.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../core/time-zone.ts';
import { nodePoolsSchema } from '../cluster/nodes/config.ts';
import { pricesSchema } from '../core/prices.ts';
import { SCENARIO_BOUNDS, describeBound, type Bound, type BoundName } from './bounds.ts';
import { calendarDayMs, clockSeconds } from './curve.ts';

/**
 * The shape of a scenario file, field by field (zod). The checks across fields (`validate.ts`) read
 * the type it gives and `format.ts` runs them with it: kept apart so neither imports the other.
 */

const B = SCENARIO_BOUNDS;
const clock = z.string().refine((s) => clockSeconds(s) !== undefined, 'a clock time HH:MM or HH:MM:SS');
const date = z.string().refine((s) => calendarDayMs(s) !== undefined, 'a real calendar date YYYY-MM-DD (from 1970)');
const duration = z.union([z.number().nonnegative(), z.string().refine(isDuration, 'a duration like 90s, 5m or 1h')]);

/** A number inside one bound of SCENARIO_BOUNDS, with the bound in its error message. */
function bounded(name: BoundName, int = false) {
  const b: Bound = B[name];
  const n = int ? z.number().int() : z.number();
  return n.min(b.min ?? -Infinity, `must be ${describeBound(name)}`).max(b.max, `must be ${describeBound(name)}`);
}
const replicas = () => bounded('replicas', true);
const interval = () => bounded('intervalSeconds');

const transformSchema = z.union([
  z.strictObject({ scale: bounded('scaleFactor') }),
  z.strictObject({ growth: bounded('scaleFactor') }),
  z.strictObject({ shift: duration.or(z.string().refine((s) => s.startsWith('-') && isDuration(s.slice(1)))) }),
  z.strictObject({ noise: z.strictObject({ sigma: z.number().min(0).max(1), seed: z.number().int().default(1) }) }),
  z.strictObject({ splice: z.strictObject({ file: z.string().min(1), day: date.optional(), from: clock, to: clock }) }),
]);
const transforms = z.array(transformSchema).max(B.transforms.max, `at most ${B.transforms.max} transforms`).default([]);

const curveSchema = z.union([
  z.strictObject({
    file: z.string().min(1),
    /** The day (UTC) to take from an export that spans several days. */
    day: date.optional(),
    transforms,
  }),
  z.strictObject({ const: bounded('devices') }),
  z.strictObject({
    /** Step points [clock, devices]: the value holds until the next point (handy for tests). */
    // The upper bound is checked in validate.ts: inside this union a failed bound reads only
    // "curve: Invalid input", since no branch of the union matches.
    steps: z.array(z.tuple([clock, bounded('devices')])).min(1),
    transforms,
  }),
]);

/** Where the devices come from: the curve answered by the fake (default), or heartbeats of a k6 device fleet. */
const sourceSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('curve') }),
  z.strictObject({ mode: z.literal('events'), heartbeatSeconds: bounded('heartbeatSeconds').default(30) }),
]);

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
/** The team's own exporter process instead of ebbflow's (see scenarios/README.md, "Bring your own exporter"). */
const exporterSchema = z.strictObject({
  command: z.array(z.string().min(1).max(4096)).min(B.exporterArgs.min, 'the program to run, e.g. [python3, exporter.py]').max(B.exporterArgs.max, `at most ${B.exporterArgs.max} arguments`),
  env: z.record(envName, z.string().max(4096)).default({}),
  metricsUrl: z.string().refine(isLoopbackHttpUrl, 'an http URL on the loopback interface with a port, e.g. http://127.0.0.1:9500/metrics'),
  /** Seconds (wall) to wait for the first answer of metricsUrl. */
  startTimeoutSeconds: z.number().positive().max(600).default(60),
});

function isLoopbackHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' && u.port !== '' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

const policySchema = z.strictObject({ type: z.enum(['Pods', 'Percent']), value: z.number().int().positive().max(B.policyValue.max), periodSeconds: z.number().int().min(B.policyPeriodSeconds.min).max(B.policyPeriodSeconds.max) });
const rulesSchema = z.strictObject({
  stabilizationWindowSeconds: z.number().int().min(B.stabilizationSeconds.min).max(B.stabilizationSeconds.max).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z.array(policySchema).max(B.policies.max).optional(),
  tolerance: z.number().min(B.tolerance.min).max(B.tolerance.max).optional(),
});

export const scenarioShape = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label (lowercase letters, digits, -)').max(63),
    description: z.string().max(10_000).optional(),
    curve: curveSchema,
    windows: z.array(z.strictObject({ start: clock, end: clock })).min(1).max(B.windows.max, `at most ${B.windows.max} windows`),
    compression: bounded('compression').default(60),
    fidelity: z.enum(['refuse', 'rate-preserving']).default('refuse'),
    day: date.default('2026-01-05'),
    /** IANA zone of the day, the windows, clock-time curves and the reports' times (default UTC). */
    timezone: z.string().refine(isTimeZone, 'an IANA time zone name, e.g. Asia/Shanghai or UTC').default(DEFAULT_TIME_ZONE),
    devicesPerReplica: bounded('devicesPerReplica').default(1000),
    sampleEverySeconds: bounded('sampleEverySeconds').default(15),
    seed: z.number().int().default(1),
    nodes: nodePoolsSchema.optional(),
    /** Your prices (core/prices.ts): what is not given keeps the built-in value; a `--cost FILE` is laid over it. */
    cost: pricesSchema.optional(),
    /** The team's manifests (kustomize directory, folder of YAML or one file), relative to this file; the CLI's --manifests wins. */
    manifests: z.string().min(1).max(4096).optional(),
    hpa: z
      .strictObject({
        minReplicas: replicas().min(1).optional(),
        maxReplicas: replicas().min(1).optional(),
        target: z.strictObject({ type: z.enum(['Value', 'AverageValue']), value: z.number().positive().max(B.metricTarget.max) }).optional(),
        behavior: z.strictObject({ scaleUp: rulesSchema.optional(), scaleDown: rulesSchema.optional() }).optional(),
        tolerance: z.number().min(B.tolerance.min).max(B.tolerance.max).optional(),
        syncPeriodSeconds: interval().optional(),
        downscaleStabilizationSeconds: bounded('stabilizationSeconds').optional(),
      })
      .default({}),
    elasticWorkload: z
      .strictObject({
        sourceMin: replicas().optional(),
        sourceMax: replicas().optional(),
        units: z.array(z.strictObject({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label (lowercase letters, digits, -)'), min: replicas().optional(), max: replicas().optional() })).max(B.units.max).optional(),
      })
      .default({}),
    pipeline: z
      .strictObject({
        slsWindowSeconds: interval().default(60),
        exporterIntervalSeconds: interval().default(15),
        scrapeIntervalSeconds: interval().optional(),
        adapterRelistSeconds: interval().default(30),
      })
      .default({ slsWindowSeconds: 60, exporterIntervalSeconds: 15, adapterRelistSeconds: 30 }),
    source: sourceSchema.default({ mode: 'curve' }),
    exporter: exporterSchema.optional(),
    /** Where the replay runs: local processes, a kind cluster in Docker, or a cluster ebbflow did not create; the CLI's --backend wins. */
    backend: z.enum(['local', 'kind', 'existing']).default('local'),
    expectations: z.array(expectationSchema).max(B.expectations.max, `at most ${B.expectations.max} expectations`).default([]),
  });

export type ScenarioFile = z.output<typeof scenarioShape>;
