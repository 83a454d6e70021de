import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { errorMessage, isUserError } from '../common/errors.ts';

/**
 * Each file in ./commands registers one top-level command. Discovery keeps this file free of a
 * shared list that every feature would have to edit; command modules stay light and import
 * their implementation lazily inside the action, so `--help` stays fast.
 */
export interface CommandModule {
  register(program: Command): void;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

export async function buildProgram(): Promise<Command> {
  const program = new Command('ebbflow')
    .description('Prove how Kubernetes autoscaling (HPA + ElasticWorkload + ECI) really behaves.')
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

/** Exit codes: 0 success, 1 an expectation failed (set by the command), 2 bad input or environment. */
export async function main(argv: string[]): Promise<number> {
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
    if (isUserError(e)) {
      process.stderr.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
      return 2;
    }
    process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : errorMessage(e)}\n`);
    return 2;
  }
}
