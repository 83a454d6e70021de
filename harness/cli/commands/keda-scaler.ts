import type { Command } from 'commander';
import { interruptible, untilAborted } from '../boundary.ts';
import { port } from '../options.ts';
import { helpFooter } from '../help.ts';

export function register(program: Command): void {
  program
    .command('keda-scaler')
    .description('Run the KEDA external scaler over SLS (gRPC externalscaler.ExternalScaler; the same code as the image) until SIGINT/SIGTERM')
    .requiredOption('--config <file>', 'scaler config: the exporter\'s plus grpc {host, port, tls} (see exporter/keda-scaler.example.yaml)')
    .option('--grpc-port <port>', 'override grpc.port', port)
    .option('--port <port>', 'override listen.port (self-metrics, /healthz, /readyz)', port)
    .option('--host <host>', 'override listen.host and grpc.host')
    .addHelpText(
      'after',
      helpFooter({
        examples: ['npx ebbflow keda-scaler --config exporter/keda-scaler.example.yaml', 'npx ebbflow keda-scaler --config deploy/keda-scaler.yaml --grpc-port 9091 --port 9465 --host 127.0.0.1'],
        ok: 'stopped by SIGINT/SIGTERM',
        interrupted: 'a second signal before it stopped',
      }),
    )
    .action(async (opts: { config: string; grpcPort?: number; port?: number; host?: string }) => {
      const { createLogger } = await import('../../../core/log.ts');
      const { loadKedaScalerConfig, startKedaScaler } = await import('../../../exporter/index.ts');
      const log = createLogger('keda-scaler');
      const s = await startKedaScaler(await loadKedaScalerConfig(opts.config), { logger: log, port: opts.port, host: opts.host, grpcPort: opts.grpcPort, grpcHost: opts.host });
      process.stdout.write(`keda external scaler on ${s.address} (gRPC), self-metrics on ${s.exporter.url}/metrics\n`);
      await interruptible(untilAborted);
      await s.stop();
    });
}
