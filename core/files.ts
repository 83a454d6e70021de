import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { readFile, open } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.ts';

export interface ReadOptions {
  hint?: string;
  /** Refuse files larger than this (default 64 MiB): a user file is never the place for gigabytes. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
// Non-blocking, so opening a FIFO returns at once (and fails the regular-file check) instead of
// waiting for a writer forever; it changes nothing for regular files.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function cannotRead(path: string, what: string, e: unknown, hint?: string): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? (e as Error).message);
  return new UserError(`cannot read ${what} ${path}: ${why}`, hint);
}

function checkSize(path: string, what: string, size: number, isFile: boolean, o: ReadOptions): void {
  // A device or FIFO (/dev/zero, a named pipe) would never end or never fill: only regular files.
  if (!isFile) throw new UserError(`cannot read ${what} ${path}: not a regular file`, o.hint);
  const max = o.maxBytes ?? DEFAULT_MAX_BYTES;
  if (size > max) throw new UserError(`${what} ${path} is ${size} bytes, more than the limit of ${max}`, o.hint);
}

/** Reads a file the user named; a missing, special or oversized file is their error (exit 2), with a hint. */
export async function readUserFile(path: string, what: string, hint?: string | ReadOptions): Promise<string> {
  const o: ReadOptions = typeof hint === 'string' ? { hint } : (hint ?? {});
  let fh;
  try {
    fh = await open(path, OPEN_FLAGS);
  } catch (e) {
    throw cannotRead(path, what, e, o.hint);
  }
  try {
    const st = await fh.stat();
    checkSize(path, what, st.size, st.isFile(), o);
    return await readFile(fh, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw cannotRead(path, what, e, o.hint);
  } finally {
    await fh.close();
  }
}

/** The synchronous twin of readUserFile, for configuration loaded before anything async starts. */
export function readUserFileSync(path: string, what: string, o: ReadOptions = {}): string {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw cannotRead(path, what, e, o.hint);
  }
  try {
    const st = fstatSync(fd);
    checkSize(path, what, st.size, st.isFile(), o);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw cannotRead(path, what, e, o.hint);
  } finally {
    closeSync(fd);
  }
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    // A path that does not exist yet cannot escape through a symlink; its parent might.
    const parent = dirname(p);
    return parent === p ? p : resolve(real(parent), relative(parent, p));
  }
}

/** Whether `path` (after following symlinks) lies inside directory `dir`. */
export function isInsideDir(dir: string, path: string): boolean {
  const rel = relative(real(dir), real(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
