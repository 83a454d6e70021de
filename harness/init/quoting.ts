import YAML from 'yaml';
import { UserError } from '../../core/errors.ts';

/**
 * How `init` writes a user's path into YAML, a shell command and a CI path filter, pure. A path is
 * data wherever it lands: a directory named `sc n$(id)` must stay one shell word, `m #x` must not
 * become a YAML comment, `*` must not become a glob.
 */

/** Control characters (a newline would end the YAML line or comment the path is written into). */
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * Refuses what no quoting makes safe: control characters (a newline ends the YAML line or comment)
 * and `${{`, which GitHub Actions expands in `run:` before any shell quoting applies.
 */
export function assertWritablePath(path: string, flag: string): void {
  if (hasControl(path)) throw new UserError(`${flag} ${JSON.stringify(path)} holds a control character (newline, tab, …)`, 'rename the directory or file, then run init again');
  if (path.includes('${{')) throw new UserError(`${flag} ${JSON.stringify(path)} holds "\${{", which GitHub Actions would evaluate as an expression`, 'rename the directory or file, then run init again');
}

/** One shell word (POSIX sh): bare when only safe characters, else single-quoted. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_./@%+=:,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A YAML scalar that reads back as exactly `s`, for YAML 1.1 readers too (GitHub Actions, GitLab):
 * plain when that is unambiguous, quoted otherwise (`m #x`, `on`, `- x`).
 */
export function yamlScalar(s: string): string {
  return YAML.stringify(s, { version: '1.1', lineWidth: 0 }).trimEnd();
}

/** A literal path in a GitHub Actions path filter: its glob characters escaped with a backslash. */
export function githubPathLiteral(path: string): string {
  return path.replace(/[\\*?+[\]!]/g, (c) => `\\${c}`);
}

/** A YAML single-quoted flow scalar (the style of the workflow's `paths:` list). */
export function yamlSingleQuoted(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
