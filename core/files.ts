import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readFile, open } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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

// O_EXCL makes the open fail on anything already at the temporary name, a symlink planted there
// included; O_NOFOLLOW says so twice on systems that would otherwise follow it.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const OUTPUT_MODE = 0o644;

function cannotWrite(path: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOENT: 'its directory does not exist',
    ENOTDIR: 'a part of its directory is not a directory',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
  };
  return new UserError(`cannot write ${path}: ${(code && why[code]) ?? (e as Error).message}${code ? ` (${code})` : ''}`, 'choose another output directory (--out), or fix the permissions of this one');
}

/** Creates an output directory (and its parents); a path that cannot be one is the user's error. */
export function makeOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw cannotWrite(dir, e);
  }
}

/** A new, empty regular file beside `path` that nobody else can have opened or linked. */
function createTemp(path: string): { fd: number; tmp: string } {
  for (let attempt = 0; ; attempt++) {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      return { fd: openSync(tmp, CREATE_FLAGS, OUTPUT_MODE), tmp };
    } catch (e) {
      // A name taken (by chance or planted) is tried again under another; anything else is final.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 8) throw cannotWrite(path, e);
    }
  }
}

function replaceWith(tmp: string, path: string, fd: number): void {
  try {
    // rename(2) replaces the directory entry: a symlink at `path` is replaced, never followed.
    renameSync(tmp, path);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw cannotWrite(path, e);
  }
}

/**
 * Writes a file ebbflow produces (a report, a CSV) as a new regular file: a temporary file in the
 * same directory, then renamed over `path`. Whatever was at `path` — a symlink to a user's file, a
 * hard link — is replaced, never written through, and a reader never sees half a file. Mode 0644
 * (less what the umask takes away).
 */
export function writeOutputFile(path: string, data: string | Uint8Array): void {
  const { fd, tmp } = createTemp(path);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw cannotWrite(path, e);
  }
  replaceWith(tmp, path, fd);
  closeSync(fd);
}
