import { InvalidArgumentError } from 'commander';
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
