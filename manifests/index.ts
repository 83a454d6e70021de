import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import YAML from 'yaml';
import { kustomizer } from '../cluster/toolchain/index.ts';
import { UserError } from '../core/errors.ts';
import { isDuration, parseDuration } from '../core/units.ts';
import type { KubeObject, SourcedObject } from '../kinds/model/objects.ts';
import type { SystemManifests } from '../kinds/system.ts';
import { discoverSystem, type DiscoveredSystem } from './discover.ts';
import { checkManifestBounds, checkManifestShapes } from './bounds.ts';
import { programSource, type ManifestsSource } from './files.ts';
import { loadManifestObjects } from './load.ts';
import type { HarnessScrape } from './scrape.ts';

export type { KubeObject } from '../kinds/model/objects.ts';
export { serviceMonitorToScrapeTarget, toPrometheusRelabel, type ScrapeTarget } from './scrape.ts';

/**
 * The manifests production applies are the single source for the harness: it renders the `local`
 * overlay with kustomize (`kustomizer`: the pinned kubectl, or a kubectl v5-kustomize on PATH) and reads the HPA, the ElasticWorkload, the business
 * workload, the adapter rules, the exporter config and the ServiceMonitor's scrape settings from it.
 */

export const MANIFESTS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const OVERLAYS = ['local', 'aliyun', 'aliyun-cluster-wide', 'original-2020'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export async function renderOverlay(overlay: Overlay | string, dir = MANIFESTS_DIR): Promise<KubeObject[]> {
  const { path: kubectl } = await kustomizer();
  const path = join(dir, 'overlays', overlay);
  const r = await execa(kubectl, ['kustomize', path], { reject: false });
  if (r.exitCode !== 0) throw new UserError(`kustomize ${path} failed: ${r.stderr.trim()}`);
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject).filter(Boolean);
}

export interface HarnessManifests {
  objects: KubeObject[];
  hpa: KubeObject;
  /** The placement's own object (an ElasticWorkload); absent when the HPA scales a Deployment/StatefulSet directly (most teams have none). */
  placement?: KubeObject;
  /** The workload whose pods are scaled: the HPA's target, or the ElasticWorkload's source. */
  businessDeployment: KubeObject;
  /** A CronHorizontalPodAutoscaler beside the HPA, when the manifests hold one. */
  schedule?: KubeObject;
  /** The Service the HPA's Object metric describes, when the manifests hold it. */
  businessService?: KubeObject;
  adapterRulesYaml: string;
  exporterConfigYaml: string;
  scrape: HarnessScrape;
  /** The HPA's namespace (default `default`). */
  namespace?: string;
  /** Conversions and assumptions made while discovering (e.g. a v2beta1 HPA converted to v2). */
  warnings?: string[];
  /** Where the manifests came from, for messages. */
  source?: string;
  /** The file each object came from, for messages. */
  fileOf?: (o: KubeObject) => string;
}

/** A Prometheus duration ("15s", "1m", "1m30s") → seconds; `field` names where it was written. */
export function durationSeconds(d: string, field?: string): number {
  if (!isDuration(d)) throw new UserError(`${field ? `${field}: ` : ''}"${d}" is not a Prometheus duration like 15s or 1m`, field ? 'fix it in manifests/base or manifests/overlays/local' : undefined);
  return parseDuration(d);
}

/** A discovered system in the shape the replay reads. */
export function harnessManifestsFrom(objects: SourcedObject[], d: DiscoveredSystem, source: string): HarnessManifests {
  return {
    objects: objects.map((o) => o.object),
    hpa: d.hpa,
    ...(d.placement ? { placement: d.placement } : {}),
    ...(d.schedule ? { schedule: d.schedule } : {}),
    businessDeployment: d.workload,
    ...(d.services[0] ? { businessService: d.services[0] } : {}),
    adapterRulesYaml: d.adapterRulesYaml,
    exporterConfigYaml: d.exporterConfigYaml,
    scrape: d.scrape,
    namespace: d.namespace,
    warnings: d.warnings,
    source,
    fileOf: d.fileOf,
  };
}

/**
 * The system under test: with `source` (a command's: files.ts, manifestsSource) or `path` (the
 * program's own), a team's manifests (kustomize directory, folder of YAML or one file) read within
 * what the source allows, discovered by content and held to the scenario's bounds; without, this
 * repository's `overlays/local` (under `dir`).
 */
export async function loadHarnessManifests(opts: { dir?: string; path?: string; source?: ManifestsSource } = {}): Promise<HarnessManifests> {
  const source = opts.source ?? (opts.path !== undefined ? programSource(opts.path) : undefined);
  if (source) {
    const objects = await loadManifestObjects(source.path, source.cwd, source);
    const rel = relative(source.cwd, source.path);
    const where = opts.source && rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : source.path;
    checkManifestShapes(objects);
    const d = discoverSystem(objects, where);
    checkManifestBounds(d, objects.map((o) => o.object));
    return harnessManifestsFrom(objects, d, where);
  }
  const shipped = 'manifests/overlays/local';
  const objects = (await renderOverlay('local', opts.dir)).map((object) => ({ object, file: shipped }));
  return harnessManifestsFrom(objects, discoverSystem(objects, shipped), shipped);
}

/** The objects the system model (`kinds/system.ts`) resolves, from the rendered overlay or a team's manifests. */
export function harnessSystemManifests(m: HarnessManifests): SystemManifests {
  return {
    hpa: m.hpa,
    ...(m.placement ? { placement: m.placement } : {}),
    ...(m.schedule ? { schedule: m.schedule } : {}),
    deployment: m.businessDeployment,
    scrapeIntervalSeconds: m.scrape.intervalSeconds,
    source: m.source ?? 'manifests/overlays/local',
    ...(m.warnings?.length ? { warnings: m.warnings } : {}),
  };
}

/** The manifests a run reads: the CLI's --manifests wins over the scenario's `manifests:` (relative to the scenario file). */
export function manifestsPathFor(s: { file: string; manifests?: string }, flag: string | undefined): string | undefined {
  if (flag !== undefined) return flag;
  return s.manifests === undefined ? undefined : resolvePath(dirname(s.file), s.manifests);
}

/** A copy of manifests/ in a temp dir, for tests that change a file and watch the harness follow. */
export function copyManifests(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ebf-manifests-'));
  cpSync(MANIFESTS_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
