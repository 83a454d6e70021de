import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseYamlConfig } from '../harness/common/config.ts';
import { UserError } from '../harness/common/errors.ts';
import { readUserFile } from '../harness/common/files.ts';
import { expectationSchema } from '../harness/assert/expectations.ts';
import { nodePoolsSchema } from '../cluster/nodes/config.ts';
import { clockSeconds, constCurve, loadCurveFile, resample, type Curve } from './curve.ts';
import * as T from './transforms.ts';

/**
 * The scenario file: which curve, which part of the day, how fast, on which nodes, with which
 * HPA/ElasticWorkload overrides, and what must hold. See scenarios/README.md for every field.
 */

const clock = z.string().refine((s) => clockSeconds(s) !== undefined, 'a clock time HH:MM or HH:MM:SS');
const duration = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration like 90s, 5m or 1h')]);
export function durationSeconds(d: number | string): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d)!;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

const transformSchema = z.union([
  z.strictObject({ scale: z.number().positive() }),
  z.strictObject({ growth: z.number().positive() }),
  z.strictObject({ shift: duration.or(z.string().regex(/^-\d+(\.\d+)?(ms|s|m|h)$/)) }),
  z.strictObject({ noise: z.strictObject({ sigma: z.number().min(0).max(1), seed: z.number().int().default(1) }) }),
  z.strictObject({ splice: z.strictObject({ file: z.string(), from: clock, to: clock }) }),
]);

const curveSchema = z.union([
  z.strictObject({ file: z.string().min(1), transforms: z.array(transformSchema).default([]) }),
  z.strictObject({ const: z.number().nonnegative() }),
  z.strictObject({
    /** Step points [clock, devices]: the value holds until the next point (handy for tests). */
    steps: z.array(z.tuple([clock, z.number().nonnegative()])).min(1),
    transforms: z.array(transformSchema).default([]),
  }),
]);

const policySchema = z.strictObject({ type: z.enum(['Pods', 'Percent']), value: z.number().int().positive(), periodSeconds: z.number().int().min(1).max(1800) });
const rulesSchema = z.strictObject({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z.array(policySchema).optional(),
  tolerance: z.number().min(0).max(1).optional(),
});

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label (lowercase letters, digits, -)'),
  description: z.string().optional(),
  curve: curveSchema,
  windows: z.array(z.strictObject({ start: clock, end: clock })).min(1),
  compression: z.number().min(1).max(600).default(60),
  fidelity: z.enum(['refuse', 'rate-preserving']).default('refuse'),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date YYYY-MM-DD').default('2026-01-05'),
  devicesPerReplica: z.number().positive().default(1000),
  sampleEverySeconds: z.number().positive().default(15),
  seed: z.number().int().default(1),
  nodes: nodePoolsSchema.optional(),
  hpa: z
    .strictObject({
      minReplicas: z.number().int().min(1).optional(),
      maxReplicas: z.number().int().min(1).optional(),
      target: z.strictObject({ type: z.enum(['Value', 'AverageValue']), value: z.number().positive() }).optional(),
      behavior: z.strictObject({ scaleUp: rulesSchema.optional(), scaleDown: rulesSchema.optional() }).optional(),
      tolerance: z.number().min(0).max(1).optional(),
      syncPeriodSeconds: z.number().positive().optional(),
      downscaleStabilizationSeconds: z.number().nonnegative().optional(),
    })
    .default({}),
  elasticWorkload: z
    .strictObject({
      sourceMin: z.number().int().nonnegative().optional(),
      sourceMax: z.number().int().nonnegative().optional(),
      units: z.array(z.strictObject({ name: z.string(), min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })).optional(),
    })
    .default({}),
  pipeline: z
    .strictObject({
      slsWindowSeconds: z.number().positive().default(60),
      exporterIntervalSeconds: z.number().positive().default(15),
      scrapeIntervalSeconds: z.number().positive().optional(),
      adapterRelistSeconds: z.number().positive().default(30),
    })
    .default({ slsWindowSeconds: 60, exporterIntervalSeconds: 15, adapterRelistSeconds: 30 }),
  expectations: z.array(expectationSchema).default([]),
});
export type ScenarioFile = z.output<typeof scenarioSchema>;

export interface Scenario extends Omit<ScenarioFile, 'curve' | 'windows'> {
  file: string;
  curve: Curve;
  /** Seconds of day. */
  windows: { start: number; end: number }[];
  /** Virtual epoch ms of 00:00 UTC of `day`. */
  dayStartMs: number;
}

async function buildCurve(spec: ScenarioFile['curve'], baseDir: string, file: string): Promise<Curve> {
  let c: Curve;
  if ('const' in spec) return constCurve(spec.const);
  if ('file' in spec) c = await loadCurveFile(resolve(baseDir, spec.file));
  else c = resample('steps', spec.steps.flatMap(([t, v], i) => {
    const s = clockSeconds(t)!;
    const next = spec.steps[i + 1];
    // A step holds its value until one second before the next point.
    return next ? [[s, v], [clockSeconds(next[0])! - 1, v]] as [number, number][] : [[s, v], [86_400, v]] as [number, number][];
    // One-second resolution: a step is a step, not a one-minute ramp.
  }), 1);
  for (const [i, t] of (spec.transforms ?? []).entries()) {
    if ('scale' in t) c = T.scale(c, t.scale);
    else if ('growth' in t) c = T.growth(c, t.growth);
    else if ('shift' in t) c = T.shift(c, typeof t.shift === 'string' && t.shift.startsWith('-') ? -durationSeconds(t.shift.slice(1)) : durationSeconds(t.shift));
    else if ('noise' in t) c = T.noise(c, t.noise.sigma, t.noise.seed);
    else if ('splice' in t) {
      const other = await loadCurveFile(resolve(baseDir, t.splice.file));
      const [from, to] = [clockSeconds(t.splice.from)!, clockSeconds(t.splice.to)!];
      if (from >= to) throw new UserError(`${file}: curve.transforms[${i}].splice: from ${t.splice.from} must be before to ${t.splice.to}`);
      c = T.splice(c, other, from, to);
    }
  }
  return c;
}

export async function parseScenario(text: string, file: string): Promise<Scenario> {
  const raw = parseYamlConfig(text, scenarioSchema, file);
  const windows = raw.windows.map((w, i) => {
    const [start, end] = [clockSeconds(w.start)!, clockSeconds(w.end)!];
    if (end <= start) throw new UserError(`${file}: windows[${i}]: end ${w.end} must be after start ${w.start} (a window cannot cross midnight)`);
    return { start, end };
  });
  windows.slice(1).forEach((w, i) => {
    if (w.start < windows[i]!.end) throw new UserError(`${file}: windows[${i + 1}] starts before windows[${i}] ends; list windows in order without overlap`);
  });
  const curve = await buildCurve(raw.curve, dirname(file), file);
  return { ...raw, file, curve, windows, dayStartMs: Date.parse(`${raw.day}T00:00:00Z`) };
}

export async function loadScenario(path: string): Promise<Scenario> {
  return parseScenario(await readUserFile(path, 'scenario', 'shipped scenarios are in scenarios/*.yaml'), path);
}

/** Total virtual seconds of all windows. */
export function virtualSeconds(s: Pick<Scenario, 'windows'>): number {
  return s.windows.reduce((a, w) => a + (w.end - w.start), 0);
}
