/**
 * Standalone entry of the production image (compiled: `node dist/exporter/main.js --config FILE`).
 * SIGTERM/SIGINT: stop polling, finish in-flight scrapes, exit 0. A configuration, credentials or
 * listen problem is a UserError: message and hint on stderr, exit 2, before any SLS query.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../core/log.ts';
import { isUserError } from '../core/errors.ts';
import { loadExporterConfig, startExporter } from './index.ts';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
if (values.help || !values.config) {
  process.stdout.write(
    [
      'usage: exporter --config FILE',
      '  Polls Alibaba Cloud SLS queries and serves them as Prometheus metrics on /metrics (/healthz, /readyz).',
      '  Env overrides: SLS_ENDPOINT, EXPORTER_PORT; credentials, first found wins:',
      '    ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET [+ ALIBABA_CLOUD_SECURITY_TOKEN]',
      '    RRSA: ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN + ALIBABA_CLOUD_OIDC_TOKEN_FILE',
      '          [ALIBABA_CLOUD_ROLE_SESSION_NAME, ALIBABA_CLOUD_STS_ENDPOINT, ALIBABA_CLOUD_STS_REGION, ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED]',
      '    ALIBABA_CLOUD_CREDENTIALS_FILE (JSON, or an INI profile chosen by ALIBABA_CLOUD_PROFILE)',
      '  Exit codes: 0 stopped by SIGTERM/SIGINT, 2 bad config, credentials or port (nothing was queried).',
      '',
    ].join('\n'),
  );
  process.exit(values.help ? 0 : 2);
}
const log = createLogger('sls-exporter');
try {
  const exp = await startExporter(await loadExporterConfig(values.config), { logger: log });
  const stop = (sig: string) => {
    log.info({ signal: sig }, 'shutting down');
    void exp.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (e) {
  if (isUserError(e)) {
    process.stderr.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
    process.exit(2);
  }
  throw e;
}
