import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, readYamlSource, validateYaml, YAML_LIMITS, type YamlSource } from '../core/config.ts';
import { isInsideDir, readUserFile } from '../core/files.ts';
import { UserError } from '../core/errors.ts';
import { expectationSchema } from '../core/checks/expectations.ts';
import { nodePoolsSchema } from '../cluster/nodes/config.ts';
import { SCENARIO_BOUNDS, describeBound, type Bound, type BoundName } from './bounds.ts';
import { calendarDayMs, clockSeconds, constCurve, loadCurveFile, resample, type Curve } from './curve.ts';
import { isDuration } from '../core/units.ts';
import { semanticIssues, shiftSeconds } from './validate.ts';
import * as T from './transforms.ts';

/**
 * The scenario file: which curve, which part of the day, how fast, on which nodes, with which
 * HPA/ElasticWorkload overrides, and what must hold. See scenarios/README.md for every field.
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

const scenarioShape = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label (lowercase letters, digits, -)').max(63),
    description: z.string().max(10_000).optional(),
    curve: curveSchema,
    windows: z.array(z.strictObject({ start: clock, end: clock })).min(1).max(B.windows.max, `at most ${B.windows.max} windows`),
    compression: bounded('compression').default(60),
    fidelity: z.enum(['refuse', 'rate-preserving']).default('refuse'),
    day: date.default('2026-01-05'),
    devicesPerReplica: bounded('devicesPerReplica').default(1000),
    sampleEverySeconds: bounded('sampleEverySeconds').default(15),
    seed: z.number().int().default(1),
    nodes: nodePoolsSchema.optional(),
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

/** The scenario file's schema: its shape, then the checks across fields (scenarios/validate.ts). */
export const scenarioSchema = scenarioShape.superRefine((v, ctx) => {
  for (const i of semanticIssues(v)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
});
export type ScenarioFile = z.output<typeof scenarioShape>;

export interface Scenario extends Omit<ScenarioFile, 'curve' | 'windows'> {
  file: string;
  curve: Curve;
  /** Seconds of day. */
  windows: { start: number; end: number }[];
  /** Virtual epoch ms of 00:00 UTC of `day`. */
  dayStartMs: number;
  /** Where `manifests:` is written (`file:line:column`), for messages about what it names. */
  manifestsAt?: string;
  /** What the command line granted the manifests (ScenarioLoadOptions), never read from the file. */
  manifestGrants?: { allowOutside?: boolean; allowRemote?: boolean };
}

export interface ScenarioLoadOptions {
  /**
   * Let curve files lie outside the scenario's directory. Only the person running the command can
   * grant this (a CLI flag), never the scenario itself: a scenario from an untrusted change could
   * otherwise read any file the run can read.
   */
  allowOutsideCurves?: boolean;
  /**
   * Run the program a scenario names in `exporter.command`. Like allowOutsideCurves, only the person
   * running the command can grant it (`--allow-exporter-command`): a scenario from a pull request
   * could otherwise run any program on the CI runner.
   */
  allowExporterCommand?: boolean;
  /** Override the file's compression (the CLI's --compression), checked like the file's own. */
  compression?: number;
  /**
   * Let the manifests (`manifests:` or --manifests) and the files their kustomization reads lie
   * outside the scenario's directory and the current one (`--allow-outside-manifests`), and let
   * kustomize fetch URL and git resources (`--allow-remote-manifests`). Like allowOutsideCurves,
   * only flags grant these; they travel with the scenario to whoever loads its manifests.
   */
  allowOutsideManifests?: boolean;
  allowRemoteManifests?: boolean;
}

interface CurveContext {
  src: YamlSource;
  baseDir: string;
  opts: ScenarioLoadOptions;
}

/** Loads a curve file named at `path` of the scenario, refusing paths outside its directory unless allowed. */
async function scenarioCurve(ctx: CurveContext, path: (string | number)[], name: string, day: string | undefined): Promise<Curve> {
  const full = resolve(ctx.baseDir, name);
  const inside = isInsideDir(ctx.baseDir, full);
  if (!inside && !ctx.opts.allowOutsideCurves) {
    throw new ConfigError([ctx.src.issueAt(path, `${name} is outside the scenario's directory; move the curve next to the scenario, or pass --allow-outside-curves if you trust this scenario`)]);
  }
  // Echo cells in errors only for files that belong to the scenario (see CurveParseOptions.echo).
  const c = await loadCurveFile(full, { day, echo: inside }).catch((e: unknown) => {
    // A missing or unreadable curve is the scenario's error: name the file and field that point at it.
    if (e instanceof UserError && e.message.startsWith('cannot read')) throw new ConfigError([ctx.src.issueAt(path, `${e.message}${e.hint ? `; ${e.hint}` : ''}`)]);
    throw e;
  });
  if ((c.days ?? 1) > 1) {
    const first = new Date(c.startMs!).toISOString().slice(0, 10);
    throw new ConfigError([ctx.src.issueAt(path, `${name} spans ${c.days} days from ${first}; add day: YYYY-MM-DD next to file to pick one (days are never folded together)`)]);
  }
  return c;
}

function stepsCurve(steps: [string, number][]): Curve {
  // One-second resolution: a step is a step, not a one-minute ramp. Each holds until a second before the next.
  return resample('steps', steps.flatMap(([t, v], i): [number, number][] => {
    const s = clockSeconds(t)!;
    const next = steps[i + 1];
    return next ? [[s, v], [clockSeconds(next[0])! - 1, v]] : [[s, v], [86_400, v]];
  }), 1);
}

async function buildCurve(spec: ScenarioFile['curve'], ctx: CurveContext): Promise<Curve> {
  if ('const' in spec) return constCurve(spec.const);
  let c = 'file' in spec ? await scenarioCurve(ctx, ['curve', 'file'], spec.file, spec.day) : stepsCurve(spec.steps);
  for (const [i, t] of spec.transforms.entries()) {
    if ('scale' in t) c = T.scale(c, t.scale);
    else if ('growth' in t) c = T.growth(c, t.growth);
    else if ('shift' in t) c = T.shift(c, shiftSeconds(t.shift));
    else if ('noise' in t) c = T.noise(c, t.noise.sigma, t.noise.seed);
    else {
      const other = await scenarioCurve(ctx, ['curve', 'transforms', i, 'splice', 'file'], t.splice.file, t.splice.day);
      c = T.splice(c, other, clockSeconds(t.splice.from)!, clockSeconds(t.splice.to)!);
    }
  }
  return c;
}

/**
 * Parses and checks a scenario, then loads its curves: every problem of the file is found here,
 * before a command starts anything heavy.
 */
export async function parseScenario(text: string, file: string, opts: ScenarioLoadOptions = {}): Promise<Scenario> {
  const src = readYamlSource(text, file);
  if (opts.compression !== undefined && src.data && typeof src.data === 'object') (src.data as Record<string, unknown>).compression = opts.compression;
  const raw = validateYaml(src, scenarioSchema);
  const windows = raw.windows.map((w) => ({ start: clockSeconds(w.start)!, end: clockSeconds(w.end)! }));
  const baseDir = dirname(resolve(file));
  raw.expectations.forEach((e, i) => {
    // A baseline the scenario names is read like a curve: confined to the scenario's directory.
    if (e.type === 'baseline' && e.file !== undefined && !opts.allowOutsideCurves && !isInsideDir(baseDir, resolve(baseDir, e.file))) {
      throw new ConfigError([src.issueAt(['expectations', i, 'file'], `${e.file} is outside the scenario's directory; move it next to the scenario, give it with --baseline, or pass --allow-outside-curves if you trust this scenario`)]);
    }
  });
  if (raw.exporter && !opts.allowExporterCommand) {
    throw new ConfigError([src.issueAt(['exporter', 'command'], `runs ${JSON.stringify(raw.exporter.command[0])} on this machine; pass --allow-exporter-command if you trust this scenario (a scenario alone may not run programs)`)]);
  }
  const curve = await buildCurve(raw.curve, { src, baseDir, opts });
  if (raw.source.mode === 'events') checkFleet(src, curve, windows);
  const at = raw.manifests !== undefined ? src.issueAt(['manifests'], '') : undefined;
  return {
    ...raw, file, curve, windows, dayStartMs: calendarDayMs(raw.day)!,
    ...(at ? { manifestsAt: at.line > 0 ? `${file}:${at.line}:${at.column}` : file } : {}),
    manifestGrants: { allowOutside: opts.allowOutsideManifests === true, allowRemote: opts.allowRemoteManifests === true },
  };
}

/** Events mode sends one heartbeat per device: the curve's peak over the windows is the fleet's size. */
function checkFleet(src: YamlSource, curve: Curve, windows: { start: number; end: number }[]): void {
  const peak = curvePeak(curve, windows);
  if (peak > B.fleetDevices.max) {
    throw new ConfigError([src.issueAt(['source', 'mode'], `events mode needs a fleet of ${Math.ceil(peak)} devices at the curve's peak; must be ${describeBound('fleetDevices')} (scale the curve down, or use mode: curve)`)]);
  }
}

/** The largest curve value inside the windows (sampled at the curve's own resolution). */
export function curvePeak(curve: Curve, windows: { start: number; end: number }[]): number {
  let peak = 0;
  const step = Math.max(1, Math.min(60, curve.stepSeconds));
  for (const w of windows) for (let t = w.start; t <= w.end; t += step) peak = Math.max(peak, curve.at(t));
  return peak;
}

export async function loadScenario(path: string, opts: ScenarioLoadOptions = {}): Promise<Scenario> {
  const text = await readUserFile(path, 'scenario', { hint: 'shipped scenarios are in scenarios/*.yaml', maxBytes: YAML_LIMITS.maxBytes });
  return parseScenario(text, path, opts);
}

/** Total virtual seconds of all windows. */
export function virtualSeconds(s: Pick<Scenario, 'windows'>): number {
  return s.windows.reduce((a, w) => a + (w.end - w.start), 0);
}
