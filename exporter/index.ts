export { loadExporterConfig, parseExporterConfig, compressExporterConfig, exporterConfigSchema, type ExporterConfig, type MetricConfig } from './config.ts';
export { startExporter, type ExporterOptions, type RunningExporter } from './exporter.ts';
export { HeaderObservingAgent, localhostAwareLookup } from './sls-client.ts';
export { parseRows, classifyError, QueryFailure } from './value.ts';
