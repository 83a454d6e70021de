import { dirname, resolve } from 'node:path';
import { ConfigError, readYamlSource, validateYaml, YAML_LIMITS, type YamlSource } from '../core/config.ts';
import { isInsideDir, readUserFile } from '../core/files.ts';
import { UserError } from '../core/errors.ts';
import { localTimeToInstant } from '../core/time-zone.ts';
import { SCENARIO_BOUNDS, describeBound } from './bounds.ts';
import { clockSeconds, constCurve, loadCurveFile, resample, type Curve } from './curve.ts';
import { scenarioShape, type ScenarioFile } from './schema.ts';
import { semanticIssues, shiftSeconds } from './validate.ts';
import * as T from './transforms.ts';

/**
 * The scenario file: which curve, which part of the day, how fast, on which nodes, with which
 * HPA/ElasticWorkload overrides, and what must hold. See scenarios/README.md for every field.
 */

export type { ScenarioFile } from './schema.ts';

const B = SCENARIO_BOUNDS;

/** The scenario file's schema: its shape (schema.ts), then the checks across fields (validate.ts). */
export const scenarioSchema = scenarioShape.superRefine((v, ctx) => {
  for (const i of semanticIssues(v)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
});

export interface Scenario extends Omit<ScenarioFile, 'curve' | 'windows'> {
  file: string;
  curve: Curve;
  /** Seconds of day. */
  windows: { start: number; end: number }[];
  /** Virtual epoch ms of 00:00 of `day` in `timezone`: windows and the curve's clock times count from it. */
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
  /** The scenario's zone: a dated export is cut into this zone's days, at its clock times. */
  timeZone: string;
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
  const c = await loadCurveFile(full, { day, echo: inside, timeZone: ctx.timeZone }).catch((e: unknown) => {
    // A missing or unreadable curve is the scenario's error: name the file and field that point at it.
    if (e instanceof UserError && e.message.startsWith('cannot read')) throw new ConfigError([ctx.src.issueAt(path, `${e.message}${e.hint ? `; ${e.hint}` : ''}`)]);
    throw e;
  });
  if ((c.days ?? 1) > 1) {
    const first = new Date(c.startMs!).toISOString().slice(0, 10); // startMs is the zone's wall clock read as UTC
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
  const curve = await buildCurve(raw.curve, { src, baseDir, opts, timeZone: raw.timezone });
  if (raw.source.mode === 'events') checkFleet(src, curve, windows);
  const at = raw.manifests !== undefined ? src.issueAt(['manifests'], '') : undefined;
  return {
    ...raw, file, curve, windows, dayStartMs: localTimeToInstant(raw.day, 0, raw.timezone),
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
