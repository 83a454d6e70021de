import { existsSync, readFileSync, accessSync, constants as fsc } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { sourceHash } from './extra.ts';
import { binaryOwners, recipeBinaries, type Component } from './versions.ts';

/** Root of every cache ebbflow keeps (toolchain builds, Go wrapper modules). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EBBFLOW_CACHE_DIR) return env.EBBFLOW_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ebbflow');
}

export function toolchainDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'toolchain');
}

export function componentDir(c: Component, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolchainDir(env), `${c.name}-${c.recipe.version}`);
}

/** EBBFLOW_BIN_KUBE_APISERVER, EBBFLOW_BIN_PROMETHEUS_ADAPTER, ... */
export function envOverrideName(binary: string): string {
  return `EBBFLOW_BIN_${binary.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export interface ComponentManifest {
  component: string;
  version: string;
  /** Binary name → absolute path. */
  binaries: Record<string, string>;
  source: 'built' | 'debian' | 'system';
  builtAt: string;
  seconds: number;
  goVersion?: string;
  /** go-local components: hash of the source built, so an edit rebuilds. */
  sourceHash?: string;
  /** Files kept from the module (its path inside the module → absolute path), e.g. CRDs. */
  files?: Record<string, string>;
}

export function readManifest(c: Component, env: NodeJS.ProcessEnv = process.env): ComponentManifest | undefined {
  const f = join(componentDir(c, env), 'manifest.json');
  if (!existsSync(f)) return undefined;
  try {
    const m = JSON.parse(readFileSync(f, 'utf8')) as ComponentManifest;
    if (m.version !== c.recipe.version) return undefined;
    if (c.recipe.kind === 'go-local' && m.sourceHash !== sourceHash(c.recipe)) return undefined;
    // A manifest whose binaries went missing (cache pruned by hand) is not an install.
    for (const p of Object.values(m.binaries)) if (!isExecutable(p)) return undefined;
    // Nor one written before the recipe gained a binary (promtool beside prometheus): reinstall.
    if (recipeBinaries(c).some((b) => !m.binaries[b])) return undefined;
    // Each kept file, and for a kept directory at least one file under it.
    const kept = c.recipe.kind === 'go' ? c.recipe.files ?? [] : [];
    const have = Object.entries(m.files ?? {});
    if (have.some(([, p]) => !existsSync(p))) return undefined;
    if (kept.some((f) => (f.endsWith('/') ? !have.some(([k]) => k.startsWith(f)) : !m.files?.[f]))) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

export function isExecutable(p: string): boolean {
  try {
    accessSync(p, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type BinarySource = { path: string; from: 'env' | 'cache' | 'system' };

/** Where a binary comes from without installing anything: env override, then the cache. */
export function locateBinary(name: string, env: NodeJS.ProcessEnv = process.env): BinarySource | undefined {
  const override = env[envOverrideName(name)];
  if (override) {
    if (!isExecutable(override)) {
      throw new UserError(
        `${envOverrideName(name)}=${override}: not an executable file`,
        `fix the path or unset ${envOverrideName(name)} to use the cached build`,
      );
    }
    return { path: override, from: 'env' };
  }
  const owner = binaryOwners().get(name);
  if (!owner) throw new Error(`unknown toolchain binary ${name}`);
  const m = readManifest(owner, env);
  const p = m?.binaries[name];
  if (p) return { path: p, from: m.source === 'system' ? 'system' : 'cache' };
  return undefined;
}

/** The path of an installed binary, or a UserError saying how to install it. */
export function resolveBinary(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const found = locateBinary(name, env);
  if (found) return found.path;
  throw new UserError(
    `${name} is not installed`,
    `run \`ebbflow toolchain install\`, or set ${envOverrideName(name)} to an existing binary`,
  );
}

/**
 * The files an installed component kept from its module (path inside the module → absolute path),
 * or a UserError saying how to install it.
 */
export function componentFiles(component: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const c = binaryOwnersByComponent(component);
  const m = readManifest(c, env);
  if (!m?.files) throw new UserError(`toolchain component ${component} is not installed`, `run \`ebbflow toolchain install ${component}\``);
  return m.files;
}

function binaryOwnersByComponent(name: string): Component {
  const c = [...binaryOwners().values()].find((x) => x.name === name);
  if (!c) throw new Error(`unknown toolchain component ${name}`);
  return c;
}
