import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import YAML from 'yaml';
import { ensureBinaries } from '../cluster/toolchain/index.ts';
import { UserError } from '../core/errors.ts';
import { isDuration, parseDuration } from '../core/units.ts';
import type { ScrapeTarget } from './scrape-target.ts';
import { discoverSystem, type DiscoveredSystem, type ScrapeConfig, type SourcedObject } from './discover.ts';
import { checkManifestBounds, checkManifestShapes } from './bounds.ts';
import { programSource, type ManifestsSource } from './files.ts';
import { loadManifestObjects } from './load.ts';

/**
 * The manifests production applies are the single source for the harness: it renders the `local`
 * overlay with the pinned kubectl's kustomize and reads the HPA, the ElasticWorkload, the business
 * workload, the adapter rules, the exporter config and the ServiceMonitor's scrape settings from it.
 */

export const MANIFESTS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const OVERLAYS = ['local', 'aliyun', 'aliyun-cluster-wide', 'original-2020'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
}

export async function renderOverlay(overlay: Overlay | string, dir = MANIFESTS_DIR): Promise<KubeObject[]> {
  const { kubectl } = await ensureBinaries(['kubectl']);
  const path = join(dir, 'overlays', overlay);
  const r = await execa(kubectl!, ['kustomize', path], { reject: false });
  if (r.exitCode !== 0) throw new UserError(`kustomize ${path} failed: ${r.stderr.trim()}`);
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject).filter(Boolean);
}

export interface HarnessManifests {
  objects: KubeObject[];
  hpa: KubeObject;
  /** Absent when the HPA scales a Deployment/StatefulSet directly (most teams have no ElasticWorkload). */
  elasticWorkload?: KubeObject;
  /** The workload whose pods are scaled: the HPA's target, or the ElasticWorkload's source. */
  businessDeployment: KubeObject;
  /** The Service the HPA's Object metric describes, when the manifests hold it. */
  businessService?: KubeObject;
  adapterRulesYaml: string;
  exporterConfigYaml: string;
  scrape: Omit<ScrapeConfig, 'via'> & { via?: ScrapeConfig['via'] };
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
    ...(d.elasticWorkload ? { elasticWorkload: d.elasticWorkload } : {}),
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

/** ServiceMonitor relabel config (camelCase) → Prometheus relabel_config (snake_case). */
export function toPrometheusRelabel(r: object): object {
  const m: Record<string, string> = { sourceLabels: 'source_labels', targetLabel: 'target_label', replacement: 'replacement', regex: 'regex', action: 'action', separator: 'separator', modulus: 'modulus' };
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [m[k] ?? k, v]));
}

/**
 * A host process as the target prometheus-operator would have discovered: the `__meta_kubernetes_*`
 * labels it would see, the operator's standard relabelling to namespace/service/pod/endpoint/job,
 * then the ServiceMonitor's own relabelings.
 */
export function serviceMonitorToScrapeTarget(scrape: HarnessManifests['scrape'], address: string, pod = 'sls-exporter-0'): ScrapeTarget {
  // A PodMonitor (or pod annotations) has no Service: the operator then labels namespace, pod and endpoint only.
  const withService = scrape.serviceName !== '';
  const operator = [
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    ...(withService ? [{ source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' }] : []),
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_endpoint_port_name'], target_label: 'endpoint' },
    ...(withService ? [{ source_labels: ['__meta_kubernetes_service_name'], target_label: 'job' }] : []),
  ];
  return {
    job: withService ? `serviceMonitor/${scrape.namespace}/${scrape.serviceName}/0` : `podMonitor/${scrape.namespace}/exporter/0`,
    address,
    path: scrape.path,
    intervalSeconds: scrape.intervalSeconds,
    honorLabels: scrape.honorLabels,
    labels: {
      __meta_kubernetes_namespace: scrape.namespace,
      ...(withService ? { __meta_kubernetes_service_name: scrape.serviceName } : {}),
      __meta_kubernetes_pod_name: pod,
      __meta_kubernetes_endpoint_port_name: scrape.portName,
    },
    relabelings: [...operator, ...scrape.relabelings.map(toPrometheusRelabel)],
    metricRelabelings: scrape.metricRelabelings.map(toPrometheusRelabel),
  };
}

/** A copy of manifests/ in a temp dir, for tests that change a file and watch the harness follow. */
export function copyManifests(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ebf-manifests-'));
  cpSync(MANIFESTS_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
