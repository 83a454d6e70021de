/**
 * Standalone entry of the KEDA external scaler in the production image
 * (`node dist/exporter/keda-main.js --config FILE`). Same contract as main.ts: SIGTERM/SIGINT stop
 * polling and both servers (exit 0); a configuration, credentials, TLS or port problem is exit 2
 * with message and hint, before any SLS query.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../core/log.ts';
import { isUserError } from '../core/errors.ts';
import { loadKedaScalerConfig, startKedaScaler } from './keda-scaler.ts';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
if (values.help || !values.config) {
  process.stdout.write(
    [
      'usage: keda-scaler --config FILE',
      '  KEDA external scaler (gRPC externalscaler.ExternalScaler) over Alibaba Cloud SLS queries;',
      '  self-metrics on /metrics, /healthz, /readyz. The exporter\'s config plus grpc: {host, port, tls}.',
      '  Env overrides: SLS_ENDPOINT, EXPORTER_PORT, KEDA_SCALER_GRPC_PORT; credentials as the exporter\'s',
      '  (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, RRSA ALIBABA_CLOUD_ROLE_ARN/OIDC_PROVIDER_ARN/OIDC_TOKEN_FILE, ALIBABA_CLOUD_CREDENTIALS_FILE).',
      '  Exit codes: 0 stopped by SIGTERM/SIGINT, 2 bad config, credentials, TLS files or port (nothing was queried).',
      '',
    ].join('\n'),
  );
  process.exit(values.help ? 0 : 2);
}
const log = createLogger('keda-scaler');
try {
  const s = await startKedaScaler(await loadKedaScalerConfig(values.config), { logger: log });
  const stop = (sig: string) => {
    log.info({ signal: sig }, 'shutting down');
    void s.stop().then(() => process.exit(0));
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
