import { readFile } from 'node:fs/promises';
import { UserError } from './errors.ts';

/** Reads a file the user named; a missing or unreadable file is their error (exit 2), with a hint. */
export async function readUserFile(path: string, what: string, hint?: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${what} ${path}: ${(e as Error).message}`, hint);
  }
}
