import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPlacement, discoverScaler } from '../kinds/discover.ts';
import { idOf, type DiscoveryContext } from '../kinds/model/discovery.ts';
import type { KubeObject, SourcedObject } from '../kinds/model/objects.ts';
import type { SystemManifests } from '../kinds/system.ts';
import { checkManifestBounds, checkManifestShapes } from '../manifests/bounds.ts';
import { discoverSystem } from '../manifests/discover.ts';
import { programSource, type ManifestsSource } from '../manifests/files.ts';
import { kustomizationIn, loadManifestObjects } from '../manifests/load.ts';
import { positionOf, type Path } from '../manifests/positions.ts';
import type { Scenario } from '../scenarios/index.ts';
import { simulate, systemFromScenario } from '../simulator/index.ts';
import type { LintContext, Location } from './model.ts';

/**
 * The I/O of `ebbflow lint`: the team's manifests read with the positions of their fields (or the
 * shipped base's files), the HPA and what it scales found by their kinds, and one simulation of the
 * scenario's curve through them. The scenario's own HPA and ElasticWorkload overrides are dropped —
 * the manifests are what is linted — while its controller flags (tolerance, sync period, downscale
 * stabilization), nodes, ECI latency and capacity per replica are kept: they describe the cluster.
 */

const BASE = fileURLToPath(new URL('../manifests/base/', import.meta.url));
/** The files of manifests/base the simulator resolves the shipped system from (`simulator/system.ts`). */
const BASE_FILES = ['autoscaling/hpa.yaml', 'autoscaling/elasticworkload.yaml', 'workload/deployment.yaml', 'exporter/servicemonitor.yaml'];

export interface LintLoadOptions {
  scenario: Scenario;
  /** The team's manifests (`manifestsSource`); absent: the shipped base. */
  manifests?: ManifestsSource;
  /** CronHPA schedules' time zone (default UTC, the curve's clock). */
  timeZone?: string;
  cwd?: string;
}

export interface LintLoad {
  ctx: LintContext;
  /** What was linted, for the report. */
  manifests: string;
  /** Conversions, assumptions and dropped overrides, for the user. */
  notes: string[];
}

async function baseObjects(cwd: string): Promise<SourcedObject[]> {
  const out: SourcedObject[] = [];
  for (const f of BASE_FILES) out.push(...(await loadManifestObjects(join(BASE, f), cwd, programSource(join(BASE, f), cwd))));
  return out;
}

/** The scenario without its HPA and ElasticWorkload overrides; the controller's flags stay. */
function withoutOverrides(s: Scenario, notes: string[]): Scenario {
  const { tolerance, syncPeriodSeconds, downscaleStabilizationSeconds, ...dropped } = s.hpa ?? {};
  const gone = [...Object.keys(dropped).map((k) => `hpa.${k}`), ...Object.keys(s.elasticWorkload ?? {}).map((k) => `elasticWorkload.${k}`)];
  if (gone.length) notes.push(`the scenario's ${gone.join(', ')} ignored: lint checks the manifests' own values`);
  const hpa = { ...(tolerance !== undefined ? { tolerance } : {}), ...(syncPeriodSeconds !== undefined ? { syncPeriodSeconds } : {}), ...(downscaleStabilizationSeconds !== undefined ? { downscaleStabilizationSeconds } : {}) };
  return { ...s, hpa, elasticWorkload: {} };
}

/** The pointer of a field (`/spec/metrics/0/...`) as a JSON patch writes it. */
const pointer = (path: Path) => `/${path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/**
 * A field a kustomize JSON patch sets has no line in the rendered output: the line of the patch op
 * whose `path:` is the field or the nearest enclosing one, in the top kustomization.
 */
function patchLine(kustomization: string | undefined, kind: string, path: Path): { line: number; column: number } | undefined {
  if (!kustomization) return undefined;
  const text = readFileSync(kustomization, 'utf8');
  if (!text.includes(kind)) return undefined;
  const lines = text.split('\n');
  for (let n = path.length; n > 0; n--) {
    const want = pointer(path.slice(0, n));
    const i = lines.findIndex((l) => new RegExp(`\\bpath:\\s*["']?${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*$`).test(l));
    if (i >= 0) return { line: i + 1, column: lines[i]!.indexOf('path:') + 1 };
  }
  return undefined;
}

function locator(fileOf: (o: KubeObject) => string, originals: Map<KubeObject, KubeObject>, kustomization: string | undefined, cwd: string) {
  const shownKustomization = kustomization ? relative(cwd, kustomization).split(sep).join('/') : '';
  return (o: KubeObject, path: readonly (string | number)[]): Location => {
    const field = `${idOf(o)}: ${path.join('.')}`;
    const exact = (p: Path) => positionOf(o, p) ?? (originals.has(o) ? positionOf(originals.get(o)!, p) : undefined);
    const here = exact(path);
    if (here) return { file: here.file, line: here.line, column: here.column, field };
    const patched = patchLine(kustomization, o.kind, path);
    if (patched) return { file: shownKustomization, ...patched, field };
    // The nearest enclosing field written as rendered, else the object's own name.
    for (let n = path.length - 1; n >= 0; n--) {
      const up = exact(path.slice(0, n));
      if (up) return { file: up.file, line: up.line, column: up.column, field };
    }
    const named = exact(['metadata', 'name']);
    return named ? { file: named.file, line: named.line, column: named.column, field } : { file: fileOf(o), field };
  };
}

/** The single ServiceMonitor among the objects, when full discovery (exporter, adapter) does not apply. */
function scrapeInterval(sourced: SourcedObject[], where: string): { serviceMonitor?: KubeObject; scrapeIntervalSeconds?: number } {
  try {
    return { scrapeIntervalSeconds: discoverSystem(sourced, where).scrape.intervalSeconds };
  } catch {
    const sms = sourced.map((s) => s.object).filter((o) => o.kind === 'ServiceMonitor');
    return sms.length === 1 ? { serviceMonitor: sms[0]! } : {};
  }
}

export async function loadLint(opts: LintLoadOptions): Promise<LintLoad> {
  const cwd = opts.cwd ?? process.cwd();
  const notes: string[] = [];
  const sourced = opts.manifests ? await loadManifestObjects(opts.manifests.path, opts.manifests.cwd, opts.manifests) : await baseObjects(cwd);
  const where = opts.manifests ? opts.manifests.given : relative(cwd, BASE).split(sep).join('/') || BASE;
  checkManifestShapes(sourced);
  const files = new Map(sourced.map((s) => [s.object, s.file]));
  const fileOf = (o: KubeObject) => files.get(o) ?? where;
  const objects = sourced.map((s) => s.object).filter((o) => o && typeof o === 'object' && o.kind && o.metadata);
  const dctx: DiscoveryContext = { objects, where, fileOf, warnings: [] };
  const scaler = discoverScaler(dctx);
  const originals = new Map<KubeObject, KubeObject>(scaler.object !== scaler.original ? [[scaler.object, scaler.original]] : []);
  if (scaler.object !== scaler.original) files.set(scaler.object, fileOf(scaler.original));
  const { object: placement, workload } = discoverPlacement(dctx, scaler);
  const scrape = scrapeInterval(sourced, where);
  checkManifestBounds({ hpa: scaler.object, ...(placement ? { placement } : {}), workload, scrape: { via: 'ServiceMonitor', intervalSeconds: scrape.scrapeIntervalSeconds ?? 30 }, fileOf }, objects);
  notes.push(...dctx.warnings);
  const sm: SystemManifests = { hpa: scaler.object, ...(placement ? { placement } : {}), deployment: workload, ...scrape, source: where };
  const scenario = withoutOverrides(opts.scenario, notes);
  const system = systemFromScenario(scenario, sm);
  const { timeline, summary } = simulate(scenario, system);
  const eci = system.nodes.eci.startLatency;
  const kustomization = opts.manifests ? kustomizationIn(opts.manifests.path) : undefined;
  return {
    manifests: where,
    notes,
    ctx: {
      objects,
      hpa: scaler.object,
      target: placement ?? workload,
      workload,
      system,
      timeline: timeline!,
      coveragePercent: summary.sloCoveragePercent,
      eciStartSeconds: eci.startSeconds + eci.imagePull.max + eci.jitterSeconds,
      timeZone: opts.timeZone ?? 'UTC',
      locate: locator(fileOf, originals, kustomization, cwd),
    },
  };
}
