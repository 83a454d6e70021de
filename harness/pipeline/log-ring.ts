import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import pino, { type Logger } from 'pino';

/**
 * The last lines an exporter wrote, bounded in count and length, for the message that says why a
 * replay failed (the warm-up's "metric stuck at 0"): what a team would look at first.
 */
export class LogRing {
  private readonly buf: string[] = [];
  private partial = '';

  constructor(private readonly capacity = 20, private readonly maxLineLength = 400) {}

  /** A chunk of output; lines may span chunks. */
  write(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!.slice(-this.maxLineLength * 2);
    for (const line of parts) this.push(line);
  }

  private push(line: string): void {
    const l = line.replace(/\r$/, '');
    if (l.trim() === '') return;
    this.buf.push(l.length > this.maxLineLength ? `${l.slice(0, this.maxLineLength)}…` : l);
    if (this.buf.length > this.capacity) this.buf.shift();
  }

  lines(): string[] {
    const tail = this.partial.trim() ? [this.partial.slice(0, this.maxLineLength)] : [];
    return [...this.buf, ...tail].slice(-this.capacity);
  }
}

/**
 * The last `lines` lines of a process's log file, reading at most `maxBytes` from its end: a
 * chatty exporter's log of a long replay is never read whole.
 */
export function fileTail(file: string, lines = 20, maxBytes = 64 * 1024): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const ring = new LogRing(lines);
    // A read that starts mid-line drops that partial first line.
    ring.write(len < size ? buf.toString('utf8').replace(/^[^\n]*\n/, '') : buf.toString('utf8'));
    return ring.lines();
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const FORWARDED_OUT = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/**
 * A logger for the in-process exporter: every line from `info` up goes into `ring`, and each line
 * is still handed to `base` (with base's own level and destination), so the user sees what they saw.
 */
export function ringLogger(ring: LogRing, base?: Logger): Logger {
  const stream = {
    write(line: string) {
      ring.write(line);
      if (base) forward(base, line);
    },
  };
  return pino({ name: 'exporter', level: 'info' }, stream);
}

function forward(base: Logger, line: string): void {
  try {
    const rec = JSON.parse(line) as Record<string, unknown> & { level?: number; msg?: string };
    const label = pino.levels.labels[rec.level ?? 30] ?? 'info';
    if (!base.isLevelEnabled(label)) return;
    const fields = Object.fromEntries(Object.entries(rec).filter(([k]) => !FORWARDED_OUT.has(k)));
    (base as unknown as Record<string, (o: object, m?: string) => void>)[label]!.call(base, fields, rec.msg);
  } catch {
    // A line that is not pino's JSON stays in the ring only.
  }
}
