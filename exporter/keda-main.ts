/**
 * Standalone entry of the KEDA external scaler in the production image
 * (`node dist/exporter/keda-main.js --config FILE`). Same contract as main.ts: SIGTERM/SIGINT stop
 * polling and both servers (exit 0); a configuration, credentials, TLS or port problem is exit 2
 * with message and hint, before any SLS query.
 */
import { loadKedaScalerConfig, startKedaScaler } from './keda-scaler.ts';
import { runEntry } from './entry.ts';

await runEntry({
  logName: 'keda-scaler',
  usage: [
    'usage: keda-scaler --config FILE',
    '  KEDA external scaler (gRPC externalscaler.ExternalScaler) over Alibaba Cloud SLS queries;',
    '  self-metrics on /metrics, /healthz, /readyz. The exporter\'s config plus grpc: {host, port, tls}.',
    '  Env overrides: SLS_ENDPOINT, EXPORTER_PORT, KEDA_SCALER_GRPC_PORT; credentials as the exporter\'s',
    '  (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, RRSA ALIBABA_CLOUD_ROLE_ARN/OIDC_PROVIDER_ARN/OIDC_TOKEN_FILE, ALIBABA_CLOUD_CREDENTIALS_FILE).',
    '  Exit codes: 0 stopped by SIGTERM/SIGINT, 2 bad config, credentials, TLS files or port (nothing was queried).',
  ],
  start: async (file, logger) => startKedaScaler(await loadKedaScalerConfig(file), { logger }),
});
