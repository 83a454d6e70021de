import YAML from 'yaml';
import { UserError } from '../core/errors.ts';
import { parseDuration } from '../core/units.ts';
import { discoverPlacement, discoverScaler, discoverSchedule } from '../kinds/discover.ts';
import { idOf as id, namespaceOf as ns, specOf as spec, type DiscoveryContext } from '../kinds/model/discovery.ts';
import type { KubeObject, SourcedObject } from '../kinds/model/objects.ts';

/**
 * Discovery, pure: a team's rendered objects (each with the file it came from) → the system a run
 * models. The scaler and what it scales are found by their kinds (`kinds/discover.ts`: the HPA, and
 * an ElasticWorkload or a Deployment/StatefulSet it scales directly); here the rest: the adapter
 * rules, the exporter config and how Prometheus scrapes the exporter (ServiceMonitor, PodMonitor or
 * `prometheus.io/*` annotations). Objects are recognised by their content and by the references
 * between them, never by our own names, so a team's names and namespaces work. What is missing or
 * ambiguous is one UserError naming the object, the file and the fix.
 */

export type { SourcedObject } from '../kinds/model/objects.ts';

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
  /** The placement's own object (an ElasticWorkload); absent when the HPA scales the workload directly. */
  placement?: KubeObject;
  /** What the pods are: the HPA's target or the ElasticWorkload's source. */
  workload: KubeObject;
  /** A schedule beside the HPA (a CronHorizontalPodAutoscaler aimed at the HPA or its target). */
  schedule?: KubeObject;
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

/** prometheus-operator leaves an endpoint without `interval` at Prometheus' global interval, set to 30 s by the operator. */
const DEFAULT_INTERVAL_SECONDS = 30;

type Labels = Record<string, string>;

const matches = (selector: Labels | undefined, labels: Labels | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export function discoverSystem(input: SourcedObject[], where: string): DiscoveredSystem {
  const files = new Map<KubeObject, string>(input.map((s) => [s.object, s.file]));
  const fileOf = (o: KubeObject) => files.get(o) ?? where;
  const objs = input.map((s) => s.object).filter((o) => o && typeof o === 'object' && o.kind && o.metadata);
  const ctx: DiscoveryContext = { objects: objs, where, fileOf, warnings: [] };
  const scaler = discoverScaler(ctx);
  // A converted HPA is a new object: it keeps its file for later messages.
  if (scaler.object !== scaler.original) files.set(scaler.object, fileOf(scaler.original));
  const hpa = scaler.object;
  const { object: placement, workload } = discoverPlacement(ctx, scaler);
  const schedule = discoverSchedule(ctx, scaler);
  const services = objs.filter((o) => o.kind === 'Service' && scaler.services.includes(o.metadata.name) && ns(o) === ns(hpa));
  const exporterConfigMap = oneConfigMap(objs, where, fileOf, 'exporter config', isExporterConfig, 'a ConfigMap whose config.yaml has sls: and metrics: (the exporter\'s config, see exporter/config.example.yaml)').cm;
  const adapter = oneConfigMap(objs, where, fileOf, 'prometheus-adapter rules', isAdapterRules, 'the prometheus-adapter config as a ConfigMap (a data key whose YAML has rules:)');
  const scrape = findScrape(objs, exporterConfigMap, fileOf, ctx.warnings);
  return {
    hpa, ...(placement ? { placement } : {}), ...(schedule ? { schedule } : {}), workload, services, namespace: ns(hpa), warnings: ctx.warnings, fileOf, exporterConfigMap, scrape,
    adapterRulesYaml: adapter.text,
    exporterConfigYaml: exporterConfigMapText(exporterConfigMap),
  };
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
// The KEDA scaler's config is the exporter's plus `grpc:`; it feeds KEDA, not Prometheus.
const isExporterConfig = (v: unknown) => isRecord(v) && isRecord(v.sls) && Array.isArray(v.metrics) && !('grpc' in v);
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
