// Type aliases rather than interfaces: the timeline's meta takes them as a record of numbers.

/**
 * The metric pipeline's time constants (virtual seconds): how old the SLS query window is, how often
 * the exporter queries and Prometheus scrapes, how often prometheus-adapter relists.
 */
export type PipelineConstants = {
  slsWindowSeconds: number;
  exporterIntervalSeconds: number;
  scrapeIntervalSeconds: number;
  adapterRelistSeconds: number;
};

/**
 * Every time constant a replay divides by its compression factor, as the timeline's meta records
 * them: the pipeline's and the HPA controller's sync period and downscale stabilization.
 */
export type TimeConstants = PipelineConstants & {
  hpaSyncPeriodSeconds: number;
  downscaleStabilizationSeconds: number;
};

/** prometheus-operator scrapes an endpoint without `interval` at the Prometheus default it sets, 30 s. */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 30;
export const PIPELINE_DEFAULTS = { slsWindowSeconds: 60, exporterIntervalSeconds: 15, adapterRelistSeconds: 30 } as const;
