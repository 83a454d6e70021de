import { parseArgs } from 'node:util';
import { createLogger } from '../core/log.ts';
import { isUserError } from '../core/errors.ts';
import type { Logger } from 'pino';

/**
 * The production image's process contract, one for each of its entries (the exporter, the KEDA
 * scaler): `--config FILE`, `--help`; SIGTERM/SIGINT stop the component and exit 0; a UserError
 * (configuration, credentials, files, port) is message and hint on stderr and exit 2, before any
 * SLS query.
 */
export async function runEntry(o: { logName: string; usage: string[]; start: (configFile: string, log: Logger) => Promise<{ stop(): Promise<void> }> }): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.config) {
    process.stdout.write([...o.usage, ''].join('\n'));
    process.exit(values.help ? 0 : 2);
  }
  const log = createLogger(o.logName);
  try {
    const running = await o.start(values.config, log);
    const stop = (sig: string) => {
      log.info({ signal: sig }, 'shutting down');
      void running.stop().then(() => process.exit(0));
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
}
