import { Interrupted } from '../../core/component.ts';
import { errorMessage, isUserError } from '../../core/errors.ts';

/**
 * The process boundary, the one place that knows about signals, exit codes and how an error reaches
 * the user. Library code only sees an AbortSignal and throws; commands declare options, call into
 * the folder that owns the work and say how it ended.
 */

/** Exit codes, the same for every command. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

let outcome: ExitCode = EXIT.ok;

/** How a command that returned ended: `failed` when an expectation failed or something it reports on is down. */
export function setOutcome(code: ExitCode): void {
  outcome = code;
}

/** What to tell the user when the work is interrupted: at the first signal, and after the work stopped. */
export interface InterruptMessages {
  /** Printed at the first signal, e.g. "stopping what was started". */
  onSignal?: string;
  /** Printed after the work gave up (rejected with `Interrupted`), e.g. "nothing left running". */
  afterInterrupt?: string;
}

/**
 * Runs work that SIGINT/SIGTERM may interrupt: the first signal aborts its AbortSignal (the work
 * stops what it started, writes what it has and returns, or rejects with `Interrupted`: exit 130);
 * a second one exits 130 at once. The listeners stay until the work is done (`on`, not `once`:
 * execa's exit hook re-raises a signal when no other listener is left).
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, say: InterruptMessages = {}): Promise<T> {
  const ac = new AbortController();
  const onSignal = () => {
    if (ac.signal.aborted) process.exit(EXIT.interrupted);
    if (say.onSignal) process.stderr.write(`\ninterrupted: ${say.onSignal}\n`);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(ac.signal);
  } catch (e) {
    if (e instanceof Interrupted && say.afterInterrupt) e.message = `${e.message}; ${say.afterInterrupt}`;
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Resolves when the signal aborts: a server's "until Ctrl-C or SIGTERM". */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/** Rejects with `Interrupted` when the signal aborts: races work that takes no signal of its own. */
export function rejectOnAbort(signal: AbortSignal, message = 'stopped before it finished'): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new Interrupted(message));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** System error codes that mean the user's path, port or environment is wrong, not the program. */
const ENVIRONMENT_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EEXIST', 'EROFS', 'ENOSPC', 'EMFILE', 'ENAMETOOLONG', 'ELOOP', 'EADDRINUSE', 'EADDRNOTAVAIL', 'ECONNREFUSED', 'ENOTFOUND', 'ERR_SOCKET_BAD_PORT']);

const firstLine = (s: string) => s.split('\n')[0] ?? s;

/**
 * The last resort: errors of libraries that mean bad input or environment (a YAML or JSON syntax
 * error, a zod validation failure, a missing path, a port in use) as a message for the user, or
 * undefined for an error that is a bug of ours. Follows `cause` chains, since wrappers keep them.
 */
export function describeUserError(e: unknown, depth = 0): { message: string; hint?: string } | undefined {
  if (!(e instanceof Error) || depth > 5) return undefined;
  if (isUserError(e)) return { message: e.message, hint: e.hint };
  const code = (e as NodeJS.ErrnoException).code;
  if (e.name === 'YAMLException' || e.name === 'YAMLParseError' || e.name === 'YAMLSemanticError') return { message: `invalid YAML: ${firstLine(e.message)}` };
  // V8 quotes the text around the error ("Unexpected token 'R', "{"secret": R…" is not valid JSON"): never echo it.
  if (e instanceof SyntaxError && /JSON/.test(e.message)) return { message: `invalid JSON: ${firstLine(e.message).replace(/^(Unexpected token) '.*$/s, '$1').replace(/^".*" is not valid JSON$/s, 'not valid JSON')} (the text is not shown)` };
  if (e.name === 'ZodError') {
    const issues = (e as unknown as { issues: { path: PropertyKey[]; message: string }[] }).issues;
    return { message: `invalid input: ${issues.map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`).join('; ')}` };
  }
  // csv-parse quotes the offending text in its messages: name the line, never the content.
  if (typeof code === 'string' && code.startsWith('CSV_')) return { message: `invalid CSV at line ${(e as { lines?: number }).lines ?? '?'} (${code})` };
  if (typeof code === 'string' && ENVIRONMENT_CODES.has(code)) return { message: firstLine(e.message) };
  return describeUserError((e as { cause?: unknown }).cause, depth + 1);
}

/** An error as the user sees it: a message (and a hint) for their mistakes, a trace only for a bug of ours. */
function report(e: unknown): void {
  const user = describeUserError(e);
  if (user) process.stderr.write(`error: ${user.message}\n${user.hint ? `hint: ${user.hint}\n` : ''}`);
  else process.stderr.write(`internal error (please report it with this trace): ${e instanceof Error ? (e.stack ?? e.message) : errorMessage(e)}\n`);
}

let lastResortInstalled = false;

/** Errors thrown outside the command's promise (an 'error' event of a server, a stray rejection). */
function installLastResort(): void {
  if (lastResortInstalled) return;
  lastResortInstalled = true;
  const die = (e: unknown) => {
    report(e);
    process.exit(EXIT.badInput);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

/**
 * Runs a parsed command and turns how it ended into the exit code: its outcome when it returned,
 * 130 when it was interrupted, 2 for an error (printed once, without a trace unless it is a bug).
 */
export async function runCommand(command: () => Promise<unknown>, isUsageError: (e: unknown) => ExitCode | undefined): Promise<ExitCode> {
  installLastResort();
  outcome = EXIT.ok;
  try {
    await command();
    return outcome;
  } catch (e) {
    const usage = isUsageError(e);
    if (usage !== undefined) return usage;
    if (e instanceof Interrupted) {
      process.stderr.write(`interrupted: ${e.message}\n`);
      return EXIT.interrupted;
    }
    report(e);
    return EXIT.badInput;
  }
}
