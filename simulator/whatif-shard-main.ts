import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../core/errors.ts';
import { decodeShardInput, encodeShardOutput, parseShardSpec, runShard } from './whatif-shard.ts';

/**
 * One shard of a what-if sweep: `--input FILE --shard i/n`, the shard's lines on stdout. The entry
 * point of the tool image (compiled, no TypeScript loader) and of the hidden `ebbflow whatif-shard`.
 */
export function shardMain(args: string[], write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const { values } = parseArgs({ args, options: { input: { type: 'string' }, shard: { type: 'string' } }, strict: true, allowPositionals: false });
  if (!values.input || !values.shard) throw new UserError('whatif-shard needs --input FILE and --shard i/n', 'ebbflow whatif --on-cluster writes both into the Job');
  const { index, count } = parseShardSpec(values.shard);
  const bytes = readFileSync(values.input);
  // The Job's ConfigMap carries the input gzipped (a day's curve at 1 s is 0.5 MB of JSON, 3 KB gzipped).
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  const input = decodeShardInput(text, values.input);
  write(encodeShardOutput(runShard(input, index, count), index, count, input.configs.length));
}

// Run directly (`node dist/simulator/whatif-shard-main.js ...`), not when imported by the CLI.
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    shardMain(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`whatif-shard: ${(e as Error).message}\n`);
    process.exitCode = e instanceof UserError ? 2 : 1;
  }
}
