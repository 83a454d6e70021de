/**
 * Standalone entry of the production image (compiled: `node dist/exporter/main.js --config FILE`).
 * SIGTERM/SIGINT: stop polling, finish in-flight scrapes, exit 0.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../harness/common/log.ts';
import { isUserError } from '../harness/common/errors.ts';
import { loadExporterConfig, startExporter } from './index.ts';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
if (values.help || !values.config) {
  process.stdout.write('usage: exporter --config FILE\n  Polls Alibaba Cloud SLS queries and serves them as Prometheus metrics on /metrics (/healthz, /readyz).\n  Env overrides: SLS_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN, ALIBABA_CLOUD_CREDENTIALS_FILE, EXPORTER_PORT\n');
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
