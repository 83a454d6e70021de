import YAML from 'yaml';

/**
 * How the cluster's own Prometheus finds the exporter and how its adapter must serve the metric,
 * when the cluster already has a custom metrics adapter. Pure: objects in, objects and text out.
 */

interface Obj {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

type Relabel = { action?: string; targetLabel?: string; replacement?: string };
type ServiceMonitorSpec = { selector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown; endpoints?: { port?: string; path?: string; relabelings?: Relabel[]; metricRelabelings?: Relabel[] }[] };

/**
 * The manifests' ServiceMonitor(s) selecting the exporter's Service, moved into the run's namespace
 * (and watching only it). The labels are kept: a Prometheus whose serviceMonitorSelector wants
 * particular labels selects it exactly as it would in production.
 */
export function serviceMonitorsFor(objects: Obj[], exporterService: Obj, namespace: string): Obj[] {
  const labels = exporterService.metadata.labels ?? {};
  return objects
    .filter((o) => o.kind === 'ServiceMonitor')
    .filter((o) => Object.entries((o.spec as ServiceMonitorSpec | undefined)?.selector?.matchLabels ?? { '': '\0' }).every(([k, v]) => labels[k] === v))
    .map((o) => {
      const out = structuredClone(o);
      out.metadata = { ...out.metadata, namespace };
      (out.spec as ServiceMonitorSpec).namespaceSelector = { matchNames: [namespace] };
      return out;
    });
}

/**
 * The Prometheus annotations on the exporter's pod template, for a Prometheus configured the
 * common way (a `kubernetes-pods` job keeping pods annotated `prometheus.io/scrape`).
 */
export function withScrapeAnnotations(deployment: Obj, o: { port: number; path: string }): Obj {
  const out = structuredClone(deployment) as Obj & { spec: { template: { metadata?: { annotations?: Record<string, string> } } } };
  const meta = (out.spec.template.metadata ??= {});
  meta.annotations = { ...meta.annotations, 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(o.port), 'prometheus.io/path': o.path };
  return out;
}

/**
 * Labels the ServiceMonitor's relabelings set to fixed values: target relabelings, and metric
 * relabelings (the base sets service=nginx on active_devices only, by a metric relabeling).
 */
export function fixedLabels(serviceMonitors: Obj[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sm of serviceMonitors) {
    for (const e of (sm.spec as ServiceMonitorSpec).endpoints ?? []) {
      for (const r of [...(e.relabelings ?? []), ...(e.metricRelabelings ?? [])]) if ((r.action ?? 'replace') === 'replace' && r.targetLabel && r.replacement !== undefined) out[r.targetLabel] = r.replacement;
    }
  }
  return out;
}

type Rule = { seriesQuery?: string; name?: { matches?: string; as?: string } };

/** The manifests' adapter rule that serves `metric`, as YAML, or undefined. */
export function adapterRuleFor(rulesYaml: string, metric: string): string | undefined {
  const doc = YAML.parse(rulesYaml) as { rules?: Rule[] } | null;
  const rule = doc?.rules?.find((r) => {
    if (r.name?.as === metric) return true;
    try {
      return r.name?.matches ? new RegExp(r.name.matches).test(metric) : (r.seriesQuery ?? '').includes(metric);
    } catch {
      return false;
    }
  });
  return rule ? YAML.stringify({ rules: [rule] }).trimEnd() : undefined;
}

/**
 * What the user must make true on a cluster whose own adapter serves the metric: printed at the
 * start and part of the warm-up's timeout error.
 */
export function clusterAdapterHint(o: { metric: string; namespace: string; service: string; apiService: string; adapterService: string; rulesYaml: string; serviceMonitor: boolean; labels: Record<string, string> }): string {
  const rule = adapterRuleFor(o.rulesYaml, o.metric);
  const series = `${o.metric}{namespace="${o.namespace}",service="${o.service}"}`;
  return [
    `the cluster's adapter (${o.apiService} → ${o.adapterService}) must serve ${o.metric} for services/${o.service} in namespace ${o.namespace} (GET /apis/custom.metrics.k8s.io/v1beta2/namespaces/${o.namespace}/services/${o.service}/${o.metric}, what the HPA reads);`,
    `its Prometheus must hold the series ${series}, scraped from the exporter ${o.serviceMonitor ? 'through the ServiceMonitor deployed in the namespace (check that the Prometheus\'s serviceMonitorSelector and serviceMonitorNamespaceSelector select it)' : 'through its pod annotations prometheus.io/scrape, port and path (the cluster has no ServiceMonitor CRD)'}${Object.keys(o.labels).length ? `, with the relabeling ${Object.entries(o.labels).map(([k, v]) => `${k}="${v}"`).join(', ')}` : ''};`,
    rule ? `and the adapter needs this rule (from the manifests):\n${rule}` : `and the adapter needs a rule mapping ${o.metric} with labels namespace and service to those resources (the manifests hold none)`,
  ].join('\n');
}
