import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import YAML from 'yaml';
import { ensureBinaries } from '../cluster/toolchain/index.ts';
import { UserError } from '../harness/common/errors.ts';
import { isDuration, parseDuration } from '../harness/common/units.ts';
import type { ScrapeTarget } from '../harness/pipeline/prometheus.ts';

/**
 * The manifests production applies are the single source for the harness: it renders the `local`
 * overlay with the pinned kubectl's kustomize and reads the HPA, the ElasticWorkload, the business
 * workload, the adapter rules, the exporter config and the ServiceMonitor's scrape settings from it.
 */

export const MANIFESTS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const OVERLAYS = ['local', 'aliyun', 'aliyun-cluster-wide'] as const;
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
  elasticWorkload: KubeObject;
  businessDeployment: KubeObject;
  businessService: KubeObject;
  adapterRulesYaml: string;
  exporterConfigYaml: string;
  scrape: { intervalSeconds: number; path: string; relabelings: object[]; metricRelabelings: object[]; namespace: string; serviceName: string; portName: string; honorLabels: boolean };
}

function find(objs: KubeObject[], kind: string, pred: (o: KubeObject) => boolean, what: string): KubeObject {
  const o = objs.find((x) => x.kind === kind && pred(x));
  if (!o) throw new UserError(`the local overlay has no ${what} (${kind})`, 'restore it in manifests/base or manifests/overlays/local');
  return o;
}

/** A Prometheus duration ("15s", "1m", "1m30s") → seconds; `field` names where it was written. */
export function durationSeconds(d: string, field?: string): number {
  if (!isDuration(d)) throw new UserError(`${field ? `${field}: ` : ''}"${d}" is not a Prometheus duration like 15s or 1m`, field ? 'fix it in manifests/base or manifests/overlays/local' : undefined);
  return parseDuration(d);
}

export async function loadHarnessManifests(opts: { dir?: string } = {}): Promise<HarnessManifests> {
  const objects = await renderOverlay('local', opts.dir);
  const hpa = find(objects, 'HorizontalPodAutoscaler', (o) => (o.spec as { scaleTargetRef?: { kind?: string } })?.scaleTargetRef?.kind === 'ElasticWorkload', 'HPA on the ElasticWorkload');
  const elasticWorkload = find(objects, 'ElasticWorkload', () => true, 'ElasticWorkload');
  const source = (elasticWorkload.spec as { sourceTarget: { name: string } }).sourceTarget.name;
  const businessDeployment = find(objects, 'Deployment', (o) => o.metadata.name === source, `Deployment ${source}`);
  const businessService = find(objects, 'Service', (o) => o.metadata.name === source, `Service ${source}`);
  const adapter = find(objects, 'ConfigMap', (o) => o.metadata.name.startsWith('prometheus-adapter-rules'), 'prometheus-adapter rules ConfigMap');
  const exporterCm = find(objects, 'ConfigMap', (o) => o.metadata.name.startsWith('sls-exporter-config'), 'exporter ConfigMap');
  const sm = find(objects, 'ServiceMonitor', (o) => o.metadata.name === 'sls-exporter', 'exporter ServiceMonitor');
  const smSpec = sm.spec as { selector?: { matchLabels?: Record<string, string> }; endpoints?: { port?: string; path?: string; interval?: string; honorLabels?: boolean; relabelings?: object[]; metricRelabelings?: object[] }[] };
  const ep = smSpec.endpoints?.[0];
  if (!ep) throw new UserError(`ServiceMonitor ${sm.metadata.name} has no endpoints`);
  const svc = objects.find((o) => o.kind === 'Service' && Object.entries(smSpec.selector?.matchLabels ?? {}).every(([k, v]) => o.metadata.labels?.[k] === v));
  const data = (o: KubeObject) => (o as { data?: Record<string, string> }).data?.['config.yaml'] ?? '';
  return {
    objects,
    hpa,
    elasticWorkload,
    businessDeployment,
    businessService,
    adapterRulesYaml: data(adapter),
    exporterConfigYaml: data(exporterCm),
    scrape: {
      intervalSeconds: durationSeconds(ep.interval ?? '30s', `ServiceMonitor ${sm.metadata.name}: spec.endpoints[0].interval`),
      path: ep.path ?? '/metrics',
      relabelings: ep.relabelings ?? [],
      metricRelabelings: ep.metricRelabelings ?? [],
      namespace: sm.metadata.namespace ?? 'default',
      serviceName: svc?.metadata.name ?? sm.metadata.name,
      portName: ep.port ?? 'metrics',
      honorLabels: ep.honorLabels ?? false,
    },
  };
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
  const operator = [
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_endpoint_port_name'], target_label: 'endpoint' },
    { source_labels: ['__meta_kubernetes_service_name'], target_label: 'job' },
  ];
  return {
    job: `serviceMonitor/${scrape.namespace}/${scrape.serviceName}/0`,
    address,
    path: scrape.path,
    intervalSeconds: scrape.intervalSeconds,
    honorLabels: scrape.honorLabels,
    labels: {
      __meta_kubernetes_namespace: scrape.namespace,
      __meta_kubernetes_service_name: scrape.serviceName,
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
