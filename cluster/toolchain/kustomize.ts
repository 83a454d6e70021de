import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { ensureBinaries } from './ensure.ts';
import { isExecutable, locateBinary } from './paths.ts';
import type { ToolchainProgress } from './progress.ts';

/**
 * The kubectl whose built-in kustomize renders a kustomization. Rendering only needs kustomize, and
 * building the pinned Kubernetes for it costs minutes on a fresh machine, so a kubectl already on
 * PATH is used when its kustomize is of the same major version as the pinned one's (v5: the
 * kustomization fields and the ordering of rendered objects the project relies on). An override
 * (EBBFLOW_BIN_KUBECTL) or a pinned kubectl already built wins, so renders stay the same once the
 * toolchain is there.
 */
export interface Kustomizer {
  path: string;
  from: 'env' | 'cache' | 'system' | 'path' | 'built';
  /** kustomize's version as kubectl reports it, when known. */
  kustomizeVersion?: string;
}

/** The kustomize major version the pinned kubectl carries. */
export const KUSTOMIZE_MAJOR = 5;

/** Whether `kubectl version --client -o json` output names a kustomize this project renders with, and why not. */
export function kustomizeFits(versionJson: string): { fits: true; version: string } | { fits: false; why: string } {
  let v: unknown;
  try {
    v = JSON.parse(versionJson);
  } catch {
    return { fits: false, why: 'its `version --client -o json` is not JSON' };
  }
  const k = (v as { kustomizeVersion?: unknown } | null)?.kustomizeVersion;
  if (typeof k !== 'string') return { fits: false, why: 'it reports no kustomize version' };
  const m = /^v?(\d+)\.(\d+)/.exec(k);
  if (!m) return { fits: false, why: `its kustomize version "${k}" is not a version` };
  if (Number(m[1]) !== KUSTOMIZE_MAJOR) return { fits: false, why: `its kustomize is ${k}, not v${KUSTOMIZE_MAJOR}.x` };
  return { fits: true, version: k };
}

/** The first executable `kubectl` on PATH. */
export function kubectlOnPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'kubectl');
    if (isExecutable(p)) return p;
  }
  return undefined;
}

const cached = new Map<string, Promise<Kustomizer>>();

/**
 * Finds (once per process and PATH) the kubectl to render kustomizations with: override or pinned
 * build, else a fitting kubectl on PATH, else the pinned one built now. `note` hears why a kubectl
 * on PATH was passed over.
 */
export function kustomizer(opts: { env?: NodeJS.ProcessEnv; progress?: ToolchainProgress; note?: (m: string) => void; build?: () => Promise<string> } = {}): Promise<Kustomizer> {
  const env = opts.env ?? process.env;
  const key = `${env.EBBFLOW_BIN_KUBECTL ?? ''}\0${env.PATH ?? ''}\0${env.EBBFLOW_CACHE_DIR ?? ''}`;
  let p = cached.get(key);
  if (!p) {
    const build = opts.build ?? (async () => (await ensureBinaries(['kubectl'], opts.progress)).kubectl!);
    p = find(env, build, opts.note);
    cached.set(key, p);
    p.catch(() => cached.delete(key));
  }
  return p;
}

async function find(env: NodeJS.ProcessEnv, build: () => Promise<string>, note?: (m: string) => void): Promise<Kustomizer> {
  const have = locateBinary('kubectl', env);
  if (have) return { path: have.path, from: have.from };
  const onPath = kubectlOnPath(env);
  if (onPath) {
    const r = await execa(onPath, ['version', '--client', '-o', 'json'], { reject: false, timeout: 10_000, env });
    const fit = r.exitCode === 0 ? kustomizeFits(String(r.stdout)) : ({ fits: false, why: `\`kubectl version --client\` failed (exit ${r.exitCode})` } as const);
    if (fit.fits) return { path: onPath, from: 'path', kustomizeVersion: fit.version };
    note?.(`not rendering with ${onPath}: ${fit.why}; building the pinned kubectl instead`);
  }
  return { path: await build(), from: 'built' };
}
