import type { Command } from 'commander';
import { interruptible, untilAborted } from '../boundary.ts';
import { port } from '../options.ts';
import { helpFooter } from '../help.ts';

export function register(program: Command): void {
  program
    .command('exporter')
    .description('Run the production SLS → Prometheus exporter (the same code as the image) until SIGINT/SIGTERM')
    .requiredOption('--config <file>', 'exporter config (see exporter/config.example.yaml)')
    .option('--port <port>', 'override listen.port', port)
    .option('--host <host>', 'override listen.host')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow exporter --config exporter/config.example.yaml', 'npx ebbflow exporter --config deploy/exporter.yaml --port 9101 --host 127.0.0.1'], ok: 'stopped by SIGINT/SIGTERM', interrupted: 'a second signal before it stopped' }))
    .action(async (opts: { config: string; port?: number; host?: string }) => {
      const { createLogger } = await import('../../../core/log.ts');
      const { loadExporterConfig, startExporter } = await import('../../../exporter/index.ts');
      const log = createLogger('sls-exporter');
      const exp = await startExporter(await loadExporterConfig(opts.config), { logger: log, port: opts.port, host: opts.host });
      process.stdout.write(`exporter on ${exp.url}/metrics\n`);
      await interruptible(untilAborted);
      await exp.stop();
    });
}
