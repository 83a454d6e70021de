import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { errorMessage, isUserError } from '../../core/errors.ts';

/**
 * Each file in ./commands registers one top-level command. Discovery keeps this file free of a
 * shared list that every feature would have to edit; command modules stay light and import
 * their implementation lazily inside the action, so `--help` stays fast.
 */
export interface CommandModule {
  register(program: Command): void;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

/** The installed package's own version: the CLI runs from its package, wherever that is installed. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function buildProgram(): Promise<Command> {
  const program = new Command('ebbflow')
    .description('Prove how Kubernetes autoscaling (HPA + ElasticWorkload + ECI) really behaves.')
    .version(packageVersion(), '-V, --version', 'print the version of ebbflow')
    .showHelpAfterError()
    .exitOverride();
  const files = readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(commandsDir, f)).href)) as Partial<CommandModule>;
    if (typeof mod.register !== 'function') throw new Error(`command module ${f} exports no register()`);
    mod.register(program);
  }
  return program;
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
    process.exit(2);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

/** Exit codes: 0 success, 1 an expectation failed (set by the command), 2 bad input or environment. */
export async function main(argv: string[]): Promise<number> {
  installLastResort();
  const program = await buildProgram();
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are "errors" to commander but successes to the user.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    report(e);
    return 2;
  }
}
