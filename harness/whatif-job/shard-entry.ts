import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../../core/errors.ts';
import { shardMain } from '../../simulator/whatif-shard-main.ts';
import { adviseShardMain } from '../../advise/shard-main.ts';
import { ADVISE_SHARD_FORMAT } from '../../advise/shard.ts';

/**
 * The tool image's entry point: one shard of a `whatif` sweep or of an `advise` search, told apart
 * by the input's format, so one image and one Job template serve both.
 */
export function shardEntry(args: string[], write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const { values } = parseArgs({ args, options: { input: { type: 'string' }, shard: { type: 'string' } }, strict: true, allowPositionals: false });
  if (!values.input) throw new UserError('a shard needs --input FILE and --shard i/n', 'ebbflow whatif/advise --on-cluster write both into the Job');
  const bytes = readFileSync(values.input);
  const head = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).subarray(0, 64).toString('utf8');
  if (head.includes(`"format":"${ADVISE_SHARD_FORMAT}"`)) adviseShardMain(args, write);
  else shardMain(args, write);
}

// Run directly (`node dist/harness/whatif-job/shard-entry.js ...`), not when imported.
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    shardEntry(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`shard: ${(e as Error).message}\n`);
    process.exitCode = e instanceof UserError ? 2 : 1;
  }
}
