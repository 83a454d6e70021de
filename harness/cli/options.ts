import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../../core/errors.ts';
import { BACKEND_NAMES, isBackendName, type BackendName } from '../replay/backends/index.ts';

/**
 * Parsers for command-line option values. Commander reports an InvalidArgumentError as
 * "option '--x <v>' argument 'abc' is invalid. <why>" and exit 2, so a bad flag value never
 * reaches the command as NaN.
 */

/** An integer in [min, max]. */
export function intIn(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    return n;
  };
}

/** A finite number in [min, max]. */
export function numberIn(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}.`);
    return n;
  };
}

/** A TCP port; 0 asks the system for a free one. */
export const port = intIn(0, 65_535);

/**
 * A local cluster name. It becomes a directory name under the state directory, and `cluster down`
 * removes that directory: a name like `../..` must never get that far.
 */
export function clusterName(v: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(v)) throw new InvalidArgumentError('expected a DNS label of at most 40 characters (lowercase letters, digits, -).');
  return v;
}

/** A calendar date YYYY-MM-DD that exists. */
export function isoDate(v: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.toISOString().slice(0, 10) !== v) throw new InvalidArgumentError('expected a real date YYYY-MM-DD.');
  return v;
}

/** Where a replay or cluster runs: one of the registered backends (`harness/replay/backends`). */
export function backend(v: string): BackendName {
  if (!isBackendName(v)) throw new InvalidArgumentError(`expected one of ${BACKEND_NAMES.join(', ')}.`);
  return v;
}

/** The flags that lift what a team's manifests may reach (never a scenario field: a scenario can come from a pull request). */
export interface ManifestFlags {
  allowOutsideManifests?: boolean;
  allowRemoteManifests?: boolean;
}

/** The manifest flags as scenario load options (scenarios/format.ts, ScenarioLoadOptions). */
export function manifestGrants(o: ManifestFlags): ManifestFlags {
  return { allowOutsideManifests: o.allowOutsideManifests === true, allowRemoteManifests: o.allowRemoteManifests === true };
}

/**
 * An option's earlier spelling, still accepted so that scripts keep working: hidden from --help, a
 * deprecation note on stderr when used, its value handed to the canonical option (`canonical` is its
 * long flag, declared on `cmd` before). Giving both spellings is refused rather than guessed.
 */
export function renamedOption(cmd: Command, oldFlags: string, canonical: string, parse?: (v: string) => unknown): Command {
  const old = new Option(oldFlags).hideHelp();
  if (parse) old.argParser(parse);
  cmd.addOption(old);
  const target = cmd.options.find((o) => o.long === canonical);
  if (!target) throw new Error(`${cmd.name()}: renamed option ${old.long} points at ${canonical}, which is not declared`);
  const from = old.attributeName();
  const to = target.attributeName();
  return cmd.hook('preAction', (c) => {
    if (c.getOptionValueSource(from) !== 'cli') return;
    if (c.getOptionValueSource(to) === 'cli') throw new UserError(`${old.long} and ${canonical} are the same option, given twice`, `give only ${canonical}`);
    process.stderr.write(`note: ${old.long} is deprecated and will go; use ${canonical}\n`);
    c.setOptionValueWithSource(to, c.getOptionValue(from), 'cli');
  });
}

/**
 * `-o, --output text|json` on a command that prints a result, the one spelling across commands;
 * an older `--json` switch is still accepted with a deprecation note.
 */
export function outputOption(cmd: Command, what: string, legacyJson = false): Command {
  cmd.addOption(new Option('-o, --output <format>', `what stdout gets: text or json (${what})`).choices(['text', 'json']).default('text'));
  if (!legacyJson) return cmd;
  cmd.addOption(new Option('--json').hideHelp());
  return cmd.hook('preAction', (c) => {
    if (c.getOptionValueSource('json') !== 'cli') return;
    if (c.getOptionValueSource('output') === 'cli' && c.getOptionValue('output') !== 'json') throw new UserError('--json and --output text contradict each other', 'give only -o json');
    process.stderr.write('note: --json is deprecated and will go; use -o json\n');
    c.setOptionValueWithSource('output', 'json', 'cli');
  });
}

/**
 * The cluster a controller command (`ew-controller`, `cronhpa-controller`) runs against: the
 * kubeconfig given, else kubectl's default loading; a missing file or a kubeconfig without a
 * cluster is a UserError saying what to pass.
 */
export async function controllerKubeConfig(path: string | undefined): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (path) {
    if (!existsSync(path)) throw new UserError(`kubeconfig ${path} does not exist`, 'start a cluster with `ebbflow cluster up` and pass the kubeconfig it prints');
    kc.loadFromFile(path);
  } else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new UserError('no cluster in the kubeconfig', 'pass --kubeconfig FILE');
  return kc;
}

/**
 * The kubeconfig a command that talks to someone's cluster uses, found as kubectl finds it: the flag,
 * else the first file of $KUBECONFIG that exists (kubectl skips missing ones; ebbflow reads one file
 * and does not merge the rest), else a UserError that names both.
 */
export function kubeconfigOf(flag: string | undefined, env: NodeJS.ProcessEnv, needs: string, exists: (p: string) => boolean = existsSync): string {
  if (flag !== undefined) return flag;
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  const found = listed.find((p) => exists(p));
  if (found !== undefined) return found;
  const why = listed.length ? `$KUBECONFIG names no file that exists (${listed.join(delimiter)})` : '$KUBECONFIG is not set either';
  throw new UserError(`${needs} needs --kubeconfig <file>, and ${why}`, 'give --kubeconfig FILE, or export KUBECONFIG=FILE');
}

/** A Kubernetes namespace or object name given on the command line. */
export function dnsLabel(v: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v)) throw new InvalidArgumentError('expected a DNS label (lowercase letters, digits, -; at most 63).');
  return v;
}
