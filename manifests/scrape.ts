import type { ScrapeConfig } from './discover.ts';

/** How the harness scrapes the exporter: what discovery found (`via` unknown for hand-made manifests in tests). */
export type HarnessScrape = Omit<ScrapeConfig, 'via'> & { via?: ScrapeConfig['via'] };

/** What a ServiceMonitor endpoint says about scraping, in the form Prometheus takes it. */
export interface ScrapeTarget {
  job: string;
  address: string; // host:port
  path?: string;
  /** Virtual seconds; divided by the compression factor. */
  intervalSeconds: number;
  honorLabels?: boolean;
  /** The labels prometheus-operator's discovery would attach (namespace, service, pod, endpoint, ...). */
  labels?: Record<string, string>;
  relabelings?: object[];
  metricRelabelings?: object[];
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
export function serviceMonitorToScrapeTarget(scrape: HarnessScrape, address: string, pod = 'sls-exporter-0'): ScrapeTarget {
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

