import { randomBytes } from 'node:crypto';
import { closeSync, constants, createReadStream, createWriteStream, openSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { UserError } from '../errors.ts';
import { noiselessNumbers } from '../json.ts';
import { recordSchema, type Timeline, type TimelineRecord } from './format.ts';

/** Serialises a timeline to JSONL text: meta, then samples and events merged in time order, numbers without float noise. */
export function timelineToJsonl(tl: Timeline): string {
  const rest: TimelineRecord[] = [...tl.samples, ...tl.events].sort((a, b) => a.t - b.t);
  return [tl.meta, ...rest].map((r) => JSON.stringify(r, noiselessNumbers)).join('\n') + '\n';
}

/** Parses JSONL text; errors name the line. Unknown fields are dropped, unknown kinds rejected. */
export function parseTimeline(text: string, file = 'timeline.jsonl'): Timeline {
  const tl: Partial<Timeline> & { samples: Timeline['samples']; events: Timeline['events'] } = { samples: [], events: [] };
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new UserError(`${file}:${i + 1}: not valid JSON`);
    }
    const r = recordSchema.safeParse(raw);
    if (!r.success) {
      const iss = r.error.issues[0];
      throw new UserError(`${file}:${i + 1}: ${iss?.path.join('.') ?? ''}: ${iss?.message ?? 'invalid record'}`);
    }
    const rec = r.data;
    if (rec.kind === 'meta') {
      if (tl.meta) throw new UserError(`${file}:${i + 1}: a second meta record`);
      tl.meta = rec;
    } else if (!tl.meta) throw new UserError(`${file}:${i + 1}: the first record must be meta`);
    else if (rec.kind === 'sample') tl.samples.push(rec);
    else tl.events.push(rec);
  });
  if (!tl.meta) throw new UserError(`${file}: empty timeline (no meta record)`);
  return tl as Timeline;
}

export async function readTimeline(file: string): Promise<Timeline> {
  const chunks: string[] = [];
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) chunks.push(line);
  return parseTimeline(chunks.join('\n'), file);
}

/**
 * A new regular file at `file`, put in place at once, replacing (never following) a symlink there:
 * created with O_EXCL beside it, then renamed over it, as core/files.ts `writeOutputFile` writes
 * whole files; this folder may not import that file (README.md, "Floors").
 */
function openReplacing(file: string): number {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    renameSync(tmp, file);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  return fd;
}

/**
 * Appends records as they happen, so a replay stopped by Ctrl-C still leaves a readable file.
 * Records are validated on write: a recorder bug fails loudly instead of corrupting a baseline.
 */
export class TimelineWriter {
  private readonly out: WriteStream;
  constructor(file: string) {
    // Opened synchronously so a bad path fails here, at start, not later as a stream error; a
    // new file renamed into place, so a symlink at `file` is replaced rather than written through.
    this.out = createWriteStream('', { fd: openReplacing(file) });
  }
  write(rec: TimelineRecord): void {
    this.out.write(JSON.stringify(recordSchema.parse(rec), noiselessNumbers) + '\n');
  }
  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
