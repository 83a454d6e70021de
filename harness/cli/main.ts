import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT, runCommand } from './boundary.ts';
import { helpFooter } from './help.ts';

export { describeUserError } from './boundary.ts';

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
    .addHelpText(
      'after',
      helpFooter({
        examples: ['npx ebbflow simulate scenarios/smoke.yaml --out out-sim/   # seconds, Node alone', 'npx ebbflow replay scenarios/smoke.yaml --out out/        # minutes, a real control plane', 'npx ebbflow <command> --help'],
        failed: 'an expectation failed (replay, simulate, manifests check) or a status found something missing',
      }),
    )
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

/**
 * Runs the command line. Exit codes (`boundary.ts`): 0 success, 1 an expectation failed, 2 bad input
 * or environment, 130 interrupted; --help and --version are successes.
 */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  program.commands.forEach((c) => c.exitOverride());
  return runCommand(
    () => program.parseAsync(argv),
    // --help and --version are "errors" to commander but successes to the user; its own errors it has printed.
    (e) => (e instanceof CommanderError ? (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code) ? EXIT.ok : EXIT.badInput) : undefined),
  );
}
