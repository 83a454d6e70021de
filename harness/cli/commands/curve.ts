import type { Command } from 'commander';
import type { PullOptions } from '../../pull/pull.ts';
import { helpFooter } from '../help.ts';

type PullFlags = Omit<PullOptions, 'version' | 'env'>;

export function register(program: Command): void {
  const curve = program.command('curve').description('Curves from real history')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow curve pull --config deploy/exporter.yaml --metric active_devices --from now-7d --out curves/week.csv'] }));
  curve
    .command('pull')
    .description("Pull a metric's history from SLS into a curve CSV (time-bucketed SQL through the exporter's config and credentials)")
    .requiredOption('--config <file>', 'the exporter config (endpoint, credentials, metrics)')
    .requiredOption('--metric <name>', 'the metric whose query to pull, e.g. active_devices')
    .requiredOption('--from <time>', 'start: YYYY-MM-DD, ISO time (UTC unless zoned), epoch seconds, now-7d')
    .option('--to <time>', 'end (exclusive), same forms', 'now')
    .option('--step <duration>', 'bucket size; divides a day', '1m')
    .requiredOption('--out <file>', 'the curve CSV to write')
    .option('--force', 'overwrite --out if it exists')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow curve pull --config deploy/exporter.yaml --metric active_devices --from now-7d --out curves/week.csv', 'npx ebbflow curve pull --config deploy/exporter.yaml --metric active_devices --from 2026-11-02 --to 2026-11-03 --step 30s --out curves/monday.csv'] }))
    .action(async (f: PullFlags) => {
      const { pullCurve } = await import('../../pull/pull.ts');
      const { packageVersion } = await import('../main.ts');
      const tty = process.stderr.isTTY;
      const t0 = performance.now();
      const r = await pullCurve({
        ...f,
        version: packageVersion(),
        onPage: (done, total, page) => {
          const line = `pulled page ${done}/${total} (up to ${new Date(page.to * 1000).toISOString()}) in ${((performance.now() - t0) / 1000).toFixed(1)}s`;
          process.stderr.write(tty ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
        },
        onRetry: (code, attempt, waitMs) => process.stderr.write(`${tty ? '\n' : ''}SLS call failed (${code}); retry ${attempt} in ${waitMs} ms\n`),
      });
      process.stdout.write(`${r.out}: ${r.rows} rows from ${r.pages} page(s)${r.retries ? `, ${r.retries} retried` : ''}\n`);
    });
}
