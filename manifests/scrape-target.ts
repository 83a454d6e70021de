/**
 * One Prometheus scrape target as the manifests describe it (what prometheus-operator would
 * discover for the exporter): the shape `serviceMonitorToScrapeTarget` builds and
 * harness/pipeline's Prometheus config takes. Here, a floor below the pipeline, so both can name it.
 */
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
