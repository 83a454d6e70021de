import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../core/errors.ts';
import { decodeAdviseInput, encodeAdviseOutput, runAdviseShard } from './shard.ts';

/** One shard of `advise --on-cluster`: `--input FILE --shard i/n`, its result line on stdout (the tool image runs it through harness/whatif-job/shard-entry.ts). */
export function adviseShardMain(args: string[], write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const { values } = parseArgs({ args, options: { input: { type: 'string' }, shard: { type: 'string' } }, strict: true, allowPositionals: false });
  const m = /^(\d+)\/(\d+)$/.exec(values.shard ?? '');
  if (!values.input || !m || Number(m[1]) >= Number(m[2])) throw new UserError('the advise shard needs --input FILE and --shard i/n with i < n', 'ebbflow advise --on-cluster writes both into the Job');
  const bytes = readFileSync(values.input);
  // The Job's ConfigMap carries the input gzipped.
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  const [index, of] = [Number(m[1]), Number(m[2])];
  write(encodeAdviseOutput(runAdviseShard(decodeAdviseInput(text, values.input), index, of), index, of));
}
