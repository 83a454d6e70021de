import YAML from 'yaml';
import { UserError } from '../core/errors.ts';
import { parseDuration } from '../core/units.ts';
import type { KubeObject } from './index.ts';

/**
 * Discovery, pure: a team's rendered objects (each with the file it came from) → the system a run
 * models. The HPA and what it scales (an ElasticWorkload, or a Deployment/StatefulSet directly), the
 * workload, the adapter rules, the exporter config and how Prometheus scrapes the exporter
 * (ServiceMonitor, PodMonitor or `prometheus.io/*` annotations). Objects are recognised by their
 * content and by the references between them, never by our own names, so a team's names and
 * namespaces work. What is missing or ambiguous is one UserError naming the object, the file and the fix.
 */

export interface SourcedObject {
  object: KubeObject;
  /** The file the object came from (for kustomize output: the source file when it can be found). */
  file: string;
}

export interface ScrapeConfig {
  /** How Prometheus finds the exporter. */
  via: 'ServiceMonitor' | 'PodMonitor' | 'annotations';
  intervalSeconds: number;
  path: string;
  relabelings: object[];
  metricRelabelings: object[];
  /** Namespace of the exporter's pods (the series' `namespace` label). */
  namespace: string;
  /** The Service the series carry (`service` label); empty for a PodMonitor. */
  serviceName: string;
  portName: string;
  honorLabels: boolean;
}

export interface DiscoveredSystem {
  /** The HPA as autoscaling/v2 (converted from v2beta1/v2beta2 when needed). */
  hpa: KubeObject;
  /** Absent when the HPA scales the workload directly. */
  elasticWorkload?: KubeObject;
  /** What the pods are: the HPA's target or the ElasticWorkload's source. */
  workload: KubeObject;
  /** The Services the HPA's Object metrics describe (applied by the replay so the names resolve). */
  services: KubeObject[];
  adapterRulesYaml: string;
  exporterConfigYaml: string;
  /** The exporter's ConfigMap (its name is in messages). */
  exporterConfigMap: KubeObject;
  scrape: ScrapeConfig;
  namespace: string;
  /** Conversions and assumptions the user should see. */
  warnings: string[];
  /** Object → file, for messages. */
  fileOf(o: KubeObject): string;
}

const DEFAULT_NAMESPACE = 'default';
/** prometheus-operator leaves an endpoint without `interval` at Prometheus' global interval, set to 30 s by the operator. */
const DEFAULT_INTERVAL_SECONDS = 30;

type Labels = Record<string, string>;
type Spec = Record<string, unknown>;

const ns = (o: KubeObject) => o.metadata?.namespace ?? DEFAULT_NAMESPACE;
const id = (o: KubeObject) => `${o.kind} ${ns(o)}/${o.metadata?.name}`;
const spec = (o: KubeObject) => (o.spec ?? {}) as Spec;
const matches = (selector: Labels | undefined, labels: Labels | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export function discoverSystem(input: SourcedObject[], where: string): DiscoveredSystem {
  const files = new Map<KubeObject, string>(input.map((s) => [s.object, s.file]));
  const fileOf = (o: KubeObject) => files.get(o) ?? where;
  const objs = input.map((s) => s.object).filter((o) => o && typeof o === 'object' && o.kind && o.metadata);
  const warnings: string[] = [];
  const hpa = findHpa(objs, where, fileOf, warnings);
  // A converted HPA is a new object: it keeps its file for later messages.
  const original = objs.find((o) => o.kind === 'HorizontalPodAutoscaler');
  if (original && hpa !== original) files.set(hpa, fileOf(original));
  const namespace = ns(hpa);
  const { elasticWorkload, workload } = findTarget(objs, hpa, fileOf);
  const services = describedServices(objs, hpa);
  const exporterConfigMap = oneConfigMap(objs, where, fileOf, 'exporter config', isExporterConfig, 'a ConfigMap whose config.yaml has sls: and metrics: (the exporter\'s config, see exporter/config.example.yaml)').cm;
  const adapter = oneConfigMap(objs, where, fileOf, 'prometheus-adapter rules', isAdapterRules, 'the prometheus-adapter config as a ConfigMap (a data key whose YAML has rules:)');
  const scrape = findScrape(objs, exporterConfigMap, fileOf, warnings);
  return {
    hpa, elasticWorkload, workload, services, namespace, warnings, fileOf, exporterConfigMap, scrape,
    adapterRulesYaml: adapter.text,
    exporterConfigYaml: exporterConfigMapText(exporterConfigMap),
  };
}

function findHpa(objs: KubeObject[], where: string, fileOf: (o: KubeObject) => string, warnings: string[]): KubeObject {
  const hpas = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  if (!hpas.length) throw new UserError(`${where}: no HorizontalPodAutoscaler found`, 'point --manifests (or the scenario\'s manifests:) at the folder, kustomize directory or file that holds your HPA');
  if (hpas.length > 1) {
    throw new UserError(`${where}: ${hpas.length} HorizontalPodAutoscalers found (${hpas.map((h) => `${id(h)} in ${fileOf(h)}`).join(', ')}); a run models one`, 'point --manifests at a kustomize overlay or file with the one HPA to test');
  }
  const h = hpas[0]!;
  if (h.apiVersion === 'autoscaling/v2') return h;
  if (h.apiVersion === 'autoscaling/v2beta1' || h.apiVersion === 'autoscaling/v2beta2') {
    const v2 = convertHpaToV2(h, fileOf(h));
    warnings.push(`${fileOf(h)}: ${id(h)} is ${h.apiVersion}, which Kubernetes removed in 1.26 (kubectl apply fails with "no matches for kind"); ran it converted to autoscaling/v2 — put this in your manifests:\n${YAML.stringify(v2).trimEnd()}`);
    return v2;
  }
  throw new UserError(`${fileOf(h)}: ${id(h)}: apiVersion ${h.apiVersion} is not autoscaling/v2 (or the removed v2beta1/v2beta2 this tool converts)`, 'use apiVersion: autoscaling/v2');
}

function findTarget(objs: KubeObject[], hpa: KubeObject, fileOf: (o: KubeObject) => string): { elasticWorkload?: KubeObject; workload: KubeObject } {
  const ref = (spec(hpa).scaleTargetRef ?? {}) as { kind?: string; name?: string };
  const here = (kind: string, name: string | undefined) => objs.find((o) => o.kind === kind && o.metadata.name === name && ns(o) === ns(hpa));
  const missing = (kind: string, name: string | undefined, by: string) =>
    new UserError(`${fileOf(hpa)}: ${by} names ${kind} ${ns(hpa)}/${name}, which is not among the manifests`, `add the ${kind} to the manifests you point at, or fix the name (namespace ${ns(hpa)})`);
  if (ref.kind === 'ElasticWorkload') {
    const ew = here('ElasticWorkload', ref.name);
    if (!ew) throw missing('ElasticWorkload', ref.name, `${id(hpa)}: spec.scaleTargetRef`);
    const source = (spec(ew).sourceTarget ?? {}) as { kind?: string; name?: string };
    const kind = source.kind ?? 'Deployment';
    if (kind !== 'Deployment') throw new UserError(`${fileOf(ew)}: ${id(ew)}: spec.sourceTarget.kind ${kind} is not supported`, 'the ElasticWorkload\'s source must be a Deployment');
    const workload = here('Deployment', source.name);
    if (!workload) throw missing('Deployment', source.name, `${id(ew)}: spec.sourceTarget`);
    return { elasticWorkload: ew, workload };
  }
  if (ref.kind === 'Deployment' || ref.kind === 'StatefulSet') {
    const workload = here(ref.kind, ref.name);
    if (!workload) throw missing(ref.kind, ref.name, `${id(hpa)}: spec.scaleTargetRef`);
    return { workload };
  }
  throw new UserError(`${fileOf(hpa)}: ${id(hpa)}: spec.scaleTargetRef.kind "${ref.kind ?? ''}" is not ElasticWorkload, Deployment or StatefulSet`, 'scale an ElasticWorkload or the Deployment/StatefulSet directly');
}

function describedServices(objs: KubeObject[], hpa: KubeObject): KubeObject[] {
  const metrics = (spec(hpa).metrics ?? []) as { type?: string; object?: { describedObject?: { kind?: string; name?: string } } }[];
  const names = new Set(metrics.filter((m) => m.type === 'Object' && m.object?.describedObject?.kind === 'Service').map((m) => m.object!.describedObject!.name));
  return objs.filter((o) => o.kind === 'Service' && names.has(o.metadata.name) && ns(o) === ns(hpa));
}

function parseData(o: KubeObject): { key: string; value: unknown; text: string }[] {
  const data = ((o as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
  return Object.entries(data).flatMap(([key, text]) => {
    try {
      return [{ key, value: YAML.parse(text) as unknown, text }];
    } catch {
      return [];
    }
  });
}
const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isExporterConfig = (v: unknown) => isRecord(v) && isRecord(v.sls) && Array.isArray(v.metrics);
const isAdapterRules = (v: unknown) => isRecord(v) && (Array.isArray(v.rules) || Array.isArray(v.externalRules));

function oneConfigMap(objs: KubeObject[], where: string, fileOf: (o: KubeObject) => string, what: string, test: (v: unknown) => boolean, fix: string): { cm: KubeObject; text: string } {
  const found = objs.filter((o) => o.kind === 'ConfigMap').flatMap((cm) => parseData(cm).filter((d) => test(d.value)).map((d) => ({ cm, text: d.text, key: d.key })));
  if (!found.length) throw new UserError(`${where}: no ${what} found`, `add ${fix}`);
  if (found.length > 1) throw new UserError(`${where}: ${found.length} candidates for the ${what}: ${found.map((f) => `${id(f.cm)} key ${f.key} in ${fileOf(f.cm)}`).join(', ')}`, `keep one ${what} in the manifests you point at`);
  return found[0]!;
}

function exporterConfigMapText(cm: KubeObject): string {
  return parseData(cm).find((d) => isExporterConfig(d.value))!.text;
}

interface Endpoint { port?: string; targetPort?: string; path?: string; interval?: string; honorLabels?: boolean; relabelings?: object[]; metricRelabelings?: object[] }

/** The exporter's pods mount its ConfigMap; Prometheus finds them by a monitor or annotations. */
function findScrape(objs: KubeObject[], cm: KubeObject, fileOf: (o: KubeObject) => string, warnings: string[]): ScrapeConfig {
  const workloads = objs.filter((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && ns(o) === ns(cm));
  const exporter = workloads.find((w) => JSON.stringify((spec(w).template as { spec?: { volumes?: unknown } })?.spec?.volumes ?? []).includes(`"name":"${cm.metadata.name}"`));
  if (!exporter) throw new UserError(`${fileOf(cm)}: no Deployment in namespace ${ns(cm)} mounts the exporter config ${id(cm)}`, 'add the exporter Deployment with a configMap volume naming it');
  const template = spec(exporter).template as { metadata?: { labels?: Labels; annotations?: Labels } } | undefined;
  const podLabels = template?.metadata?.labels ?? {};
  const services = objs.filter((o) => o.kind === 'Service' && ns(o) === ns(exporter) && matches(spec(o).selector as Labels, podLabels));
  const interval = (v: string | undefined, o: KubeObject, field: string) => {
    if (v === undefined) return DEFAULT_INTERVAL_SECONDS;
    try {
      return parseDuration(v);
    } catch (e) {
      throw new UserError(`${fileOf(o)}: ${id(o)}: ${field}: ${(e as Error).message}`, 'give a duration like 15s or 1m');
    }
  };
  const sms = objs.filter((o) => o.kind === 'ServiceMonitor' && services.some((s) => matches((spec(o).selector as { matchLabels?: Labels })?.matchLabels, s.metadata.labels)));
  const pms = objs.filter((o) => o.kind === 'PodMonitor' && matches((spec(o).selector as { matchLabels?: Labels })?.matchLabels, podLabels));
  const monitors = [...sms, ...pms];
  if (monitors.length > 1) throw new UserError(`${monitors.length} monitors scrape the exporter ${id(exporter)}: ${monitors.map((m) => `${id(m)} in ${fileOf(m)}`).join(', ')}`, 'keep one ServiceMonitor or PodMonitor for the exporter');
  const m = monitors[0];
  if (m) {
    const eps = ((spec(m).endpoints ?? spec(m).podMetricsEndpoints ?? []) as Endpoint[]);
    const ep = eps[0];
    if (!ep) throw new UserError(`${fileOf(m)}: ${id(m)} has no ${m.kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints'}`, 'add one with the exporter\'s metrics port');
    const svc = m.kind === 'ServiceMonitor' ? services.find((s) => matches((spec(m).selector as { matchLabels?: Labels }).matchLabels, s.metadata.labels)) : undefined;
    return {
      via: m.kind as 'ServiceMonitor' | 'PodMonitor',
      intervalSeconds: interval(ep.interval, m, `spec.${m.kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints'}[0].interval`),
      path: ep.path ?? '/metrics',
      relabelings: ep.relabelings ?? [],
      metricRelabelings: ep.metricRelabelings ?? [],
      namespace: ns(exporter),
      serviceName: svc?.metadata.name ?? '',
      portName: ep.port ?? ep.targetPort ?? 'metrics',
      honorLabels: ep.honorLabels ?? false,
    };
  }
  const annotated = [template?.metadata?.annotations, ...services.map((s) => s.metadata.annotations)].find((a) => a?.['prometheus.io/scrape'] === 'true');
  if (annotated) {
    const svc = services.find((s) => s.metadata.annotations === annotated);
    warnings.push(`${id(exporter)} is scraped through prometheus.io/* annotations: assumed every ${DEFAULT_INTERVAL_SECONDS} s (set pipeline.scrapeIntervalSeconds in the scenario if your Prometheus differs)`);
    return { via: 'annotations', intervalSeconds: DEFAULT_INTERVAL_SECONDS, path: annotated['prometheus.io/path'] ?? '/metrics', relabelings: [], metricRelabelings: [], namespace: ns(exporter), serviceName: svc?.metadata.name ?? '', portName: annotated['prometheus.io/port'] ?? 'metrics', honorLabels: false };
  }
  throw new UserError(
    `${fileOf(exporter)}: nothing tells Prometheus to scrape the exporter ${id(exporter)}`,
    'add a ServiceMonitor selecting its Service, a PodMonitor selecting its pods, or the annotation prometheus.io/scrape: "true" on its pod template',
  );
}

type V2beta1Metric = {
  type: string;
  object?: { target?: { apiVersion?: string; kind?: string; name?: string }; metricName?: string; targetValue?: string | number; averageValue?: string | number; selector?: object };
  pods?: { metricName?: string; targetAverageValue?: string | number; selector?: object };
  resource?: { name?: string; targetAverageUtilization?: number; targetAverageValue?: string | number };
  external?: { metricName?: string; metricSelector?: object; targetValue?: string | number; targetAverageValue?: string | number };
};

const target = (value: string | number | undefined, average: string | number | undefined) =>
  value !== undefined ? { type: 'Value', value: String(value) } : { type: 'AverageValue', averageValue: String(average) };

/** autoscaling/v2beta1 (or v2beta2, already v2-shaped) → autoscaling/v2, field by field as the API server converts it. */
export function convertHpaToV2(h: KubeObject, file: string): KubeObject {
  const out = structuredClone(h);
  out.apiVersion = 'autoscaling/v2';
  if (h.apiVersion !== 'autoscaling/v2beta1') return out;
  const metrics = (spec(h).metrics ?? []) as V2beta1Metric[];
  (out.spec as Spec).metrics = metrics.map((m, i) => {
    const bad = (field: string) => new UserError(`${file}: ${id(h)}: spec.metrics[${i}]: ${field} is missing`, 'the v2beta1 fields are metricName and targetValue/targetAverageValue');
    if (m.type === 'Object' && m.object) {
      const o = m.object;
      if (!o.metricName) throw bad('object.metricName');
      if (o.targetValue === undefined && o.averageValue === undefined) throw bad('object.targetValue');
      // As the API server converted it: an averageValue makes it an AverageValue target, targetValue alone a Value one.
      const t = o.averageValue !== undefined ? { type: 'AverageValue', averageValue: String(o.averageValue) } : { type: 'Value', value: String(o.targetValue) };
      return { type: 'Object', object: { describedObject: { apiVersion: o.target?.apiVersion ?? 'v1', kind: o.target?.kind, name: o.target?.name }, metric: { name: o.metricName, ...(o.selector ? { selector: o.selector } : {}) }, target: t } };
    }
    if (m.type === 'Pods' && m.pods) {
      if (!m.pods.metricName) throw bad('pods.metricName');
      return { type: 'Pods', pods: { metric: { name: m.pods.metricName, ...(m.pods.selector ? { selector: m.pods.selector } : {}) }, target: { type: 'AverageValue', averageValue: String(m.pods.targetAverageValue) } } };
    }
    if (m.type === 'Resource' && m.resource) {
      const r = m.resource;
      return { type: 'Resource', resource: { name: r.name, target: r.targetAverageUtilization !== undefined ? { type: 'Utilization', averageUtilization: r.targetAverageUtilization } : { type: 'AverageValue', averageValue: String(r.targetAverageValue) } } };
    }
    if (m.type === 'External' && m.external) {
      const e = m.external;
      if (!e.metricName) throw bad('external.metricName');
      return { type: 'External', external: { metric: { name: e.metricName, ...(e.metricSelector ? { selector: e.metricSelector } : {}) }, target: target(e.targetValue, e.targetAverageValue) } };
    }
    throw new UserError(`${file}: ${id(h)}: spec.metrics[${i}].type "${m.type}" with no matching field`, 'each metric needs the field named by its type (object, pods, resource or external)');
  });
  return out;
}
