import type { Command } from 'commander';
import { helpFooter } from '../help.ts';

/** Hidden: one shard of `whatif --on-cluster`, as a Job's pod runs it (for debugging a shard locally). */
export function register(program: Command): void {
  program
    .command('whatif-shard', { hidden: true })
    .description('Run shard i of n of a what-if sweep input (written by whatif --on-cluster) and print its rows')
    .requiredOption('--input <file>', 'the sweep input JSON')
    .requiredOption('--shard <i/n>', 'this shard: index/count')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow whatif-shard --input sweep.json --shard 0/4'] }))
    .action(async (opts: { input: string; shard: string }) => {
      const { shardMain } = await import('../../../simulator/whatif-shard-main.ts');
      shardMain(['--input', opts.input, '--shard', opts.shard]);
    });
}
