export { loadExporterConfig, parseExporterConfig, compressExporterConfig, credentialSource, exporterConfigSchema, DURATION_BOUNDS, MAX_TIMER_SECONDS, type CredentialSource, type ExporterConfig, type MetricConfig } from './config.ts';
export { startExporter, type ExporterOptions, type RunningExporter } from './exporter.ts';
export { realClock, type Clock, type PollEvent } from './poller.ts';
export { HeaderObservingAgent, localhostAwareLookup, openCredentials, type CredentialProvider } from './sls-client.ts';
export { parseCredentialsFile } from './credentials-file.ts';
export { parseRows, classifyError, QueryFailure } from './value.ts';
export { type MetricReading } from './exporter.ts';
export { startKedaScaler, loadKedaScalerConfig, parseKedaScalerConfig, kedaScalerConfigSchema, loadScalerService, type KedaScalerConfig, type KedaScalerOptions, type RunningKedaScaler } from './keda-scaler.ts';
export { parseTrigger, pickValue, isActive, TriggerError, METADATA_KEYS, type TriggerSpec } from './keda-trigger.ts';
