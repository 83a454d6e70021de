/**
 * Standalone entry of the production image (compiled: `node dist/exporter/main.js --config FILE`).
 * SIGTERM/SIGINT: stop polling, finish in-flight scrapes, exit 0. A configuration, credentials or
 * listen problem is a UserError: message and hint on stderr, exit 2, before any SLS query.
 */
import { loadExporterConfig, startExporter } from './index.ts';
import { runEntry } from './entry.ts';

await runEntry({
  logName: 'sls-exporter',
  usage: [
    'usage: exporter --config FILE',
    '  Polls Alibaba Cloud SLS queries and serves them as Prometheus metrics on /metrics (/healthz, /readyz).',
    '  Env overrides: SLS_ENDPOINT, EXPORTER_PORT; credentials, first found wins:',
    '    ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET [+ ALIBABA_CLOUD_SECURITY_TOKEN]',
    '    RRSA: ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN + ALIBABA_CLOUD_OIDC_TOKEN_FILE',
    '          [ALIBABA_CLOUD_ROLE_SESSION_NAME, ALIBABA_CLOUD_STS_ENDPOINT, ALIBABA_CLOUD_STS_REGION, ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED]',
    '    ALIBABA_CLOUD_CREDENTIALS_FILE (JSON, or an INI profile chosen by ALIBABA_CLOUD_PROFILE)',
    '  Exit codes: 0 stopped by SIGTERM/SIGINT, 2 bad config, credentials or port (nothing was queried).',
  ],
  start: async (file, logger) => startExporter(await loadExporterConfig(file), { logger }),
});
