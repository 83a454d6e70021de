import { mkdirSync, writeFileSync, readFileSync, rmSync, renameSync, existsSync, copyFileSync, chmodSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import { UserError } from '../../core/errors.ts';
import { installExtra } from './extra.ts';
import { buildWithProgress, goVersion, parseGoVersion, runGo } from './gobuild.ts';
import { kubernetesWrapperGoMod, kubeVersionLdflags, simpleWrapperGoMod, toolsGo } from './gomod.ts';
import { componentDir, envOverrideName, isExecutable, readManifest, toolchainDir, type ComponentManifest } from './paths.ts';
import { silentProgress, type ToolchainProgress } from './progress.ts';
import { COMPONENTS, DEFAULT_COMPONENTS, recipeBinaries, type Component } from './versions.ts';

export interface InstallOptions {
  /** Only these components (default: every one not optional). */
  components?: string[];
  /** Rebuild even if cached. */
  force?: boolean;
  progress?: ToolchainProgress;
  env?: NodeJS.ProcessEnv;
}

export interface InstallResult {
  component: string;
  version: string;
  cached: boolean;
  seconds: number;
  manifest: ComponentManifest;
}

export function selectComponents(names?: string[]): Component[] {
  if (!names || names.length === 0) return DEFAULT_COMPONENTS;
  return names.map((n) => {
    const c = COMPONENTS.find((x) => x.name === n);
    if (!c) throw new UserError(`unknown toolchain component "${n}"`, `choose from: ${COMPONENTS.map((x) => x.name).join(', ')}`);
    return c;
  });
}

/**
 * What a bare `toolchain install` would build: components without a usable cache entry, unless
 * `EBBFLOW_BIN_<NAME>` overrides supply every one of their binaries.
 */
export function missingComponents(env: NodeJS.ProcessEnv = process.env): string[] {
  return COMPONENTS.filter((c) => !recipeBinaries(c).every((b) => env[envOverrideName(b)]) && !readManifest(c, env)).map((c) => c.name);
}

/**
 * Builds (or finds) each component once. One lock file serialises concurrent installs; the
 * second process waits, then finds the first one's result in the cache and builds nothing.
 */
export async function installToolchain(opts: InstallOptions = {}): Promise<InstallResult[]> {
  const env = opts.env ?? process.env;
  const progress = opts.progress ?? silentProgress;
  const comps = selectComponents(opts.components);
  const missing = comps.filter((c) => opts.force || !readManifest(c, env));
  const results: InstallResult[] = [];
  for (const c of comps) {
    const m = readManifest(c, env);
    if (m && !opts.force) {
      progress.done(c.name, `${c.recipe.version} cached`);
      results.push({ component: c.name, version: c.recipe.version, cached: true, seconds: 0, manifest: m });
    }
  }
  if (missing.length === 0) return results;

  const root = toolchainDir(env);
  mkdirSync(root, { recursive: true });
  const lockPath = join(root, 'install.lock');
  writeFileSync(lockPath, '', { flag: 'a' });
  const release = await lockfile.lock(lockPath, {
    stale: 30_000,
    update: 5_000,
    retries: { retries: 720, minTimeout: 1_000, maxTimeout: 5_000, factor: 1.2 },
    onCompromised: (err) => progress.info(`toolchain lock compromised: ${err.message}`),
  }).catch(async (e: unknown) => {
    throw new UserError(`could not take the toolchain lock ${lockPath}: ${(e as Error).message}`, 'another `ebbflow toolchain install` may be hung; stop it');
  });
  try {
    const needGo = missing.some((c) => c.recipe.kind !== 'debian' && c.recipe.kind !== 'pip');
    const gover = needGo ? await goVersion() : undefined;
    if (gover) {
      const [maj, min] = parseGoVersion(gover);
      if (maj < 1 || (maj === 1 && min < 24)) {
        throw new UserError(`Go ${gover} is too old to build the toolchain`, 'install Go 1.26 or later');
      }
    }
    for (const c of missing) {
      // Another process may have finished it while we waited for the lock.
      const again = readManifest(c, env);
      if (again && !opts.force) {
        progress.done(c.name, `${c.recipe.version} cached`);
        results.push({ component: c.name, version: c.recipe.version, cached: true, seconds: 0, manifest: again });
        continue;
      }
      const t0 = performance.now();
      const manifest = await installComponent(c, env, progress, gover);
      const seconds = (performance.now() - t0) / 1000;
      manifest.seconds = Math.round(seconds * 10) / 10;
      writeFileSync(join(componentDir(c, env), 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
      const how = { system: 'found on the system', debian: `unpacked from Debian in ${manifest.seconds}s`, built: `built in ${manifest.seconds}s` };
      progress.done(c.name, `${c.recipe.version} ${how[manifest.source]}`);
      results.push({ component: c.name, version: c.recipe.version, cached: false, seconds, manifest });
    }
  } finally {
    await release();
  }
  const order = new Map(comps.map((c, i) => [c.name, i]));
  return results.sort((a, b) => (order.get(a.component) ?? 0) - (order.get(b.component) ?? 0));
}

/** The file `go build -o dir/` writes for a package: its last path element, skipping a /vN suffix. */
export function goBinaryName(pkg: string): string {
  const parts = pkg.split('/');
  const last = parts.at(-1) ?? pkg;
  return /^v\d+$/.test(last) && parts.length > 1 ? (parts.at(-2) ?? last) : last;
}

async function installComponent(c: Component, env: NodeJS.ProcessEnv, progress: ToolchainProgress, gover?: string): Promise<ComponentManifest> {
  const final = componentDir(c, env);
  const r = c.recipe;
  const base = { component: c.name, version: r.version, builtAt: new Date().toISOString(), seconds: 0 };
  if (r.kind === 'debian') return { ...base, ...(await installDebian(c, final, progress)) };
  if (r.kind === 'pip' || r.kind === 'go-local') {
    const got = await installExtra(c, final, progress);
    return { ...base, source: 'built', ...(r.kind === 'go-local' ? { goVersion: gover } : {}), ...got };
  }

  // Build in a scratch dir and move into place at the end, so a Ctrl-C never leaves a half cache.
  const work = `${final}.build-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'bin'), { recursive: true });
  try {
    let ldflags: string[] = [];
    let binaries: { pkg: string; binary: string }[];
    if (r.kind === 'kubernetes') {
      progress.phase(c.name, 'fetching k8s.io/kubernetes go.mod');
      const info = JSON.parse(await runGo(['mod', 'download', '-json', `k8s.io/kubernetes@${r.version}`], work, c.name)) as { GoMod: string };
      writeFileSync(join(work, 'go.mod'), kubernetesWrapperGoMod(r.version, readFileSync(info.GoMod, 'utf8')));
      binaries = r.commands.map((cmd) => ({ pkg: `k8s.io/kubernetes/cmd/${cmd}`, binary: cmd }));
      ldflags = kubeVersionLdflags(r.version);
    } else if (r.kind === 'go') {
      writeFileSync(join(work, 'go.mod'), simpleWrapperGoMod(c.name, r.module, r.version, r.replace, r.exclude));
      binaries = r.packages.map((p) => ({ pkg: p.pkg ? `${r.module}/${p.pkg}` : r.module, binary: p.binary }));
      ldflags = r.ldflags ?? [];
    } else throw new Error(`${c.name}: not a Go module recipe`);
    const pkgs = binaries.map((b) => b.pkg);
    writeFileSync(join(work, 'tools.go'), toolsGo(pkgs));
    progress.phase(c.name, 'resolving modules');
    await runGo(['mod', 'tidy'], work, `${c.name}: resolve modules`);
    const outDir = join(work, 'out');
    await buildWithProgress({ cwd: work, component: c.name, packages: pkgs, outDir, ldflags, progress });
    for (const b of binaries) {
      const built = join(outDir, goBinaryName(b.pkg));
      if (!existsSync(built)) throw new Error(`${c.name}: go build produced no ${built}`);
      renameSync(built, join(work, 'bin', b.binary));
    }
    rmSync(outDir, { recursive: true, force: true });
    const files = r.kind === 'go' && r.files?.length ? await keepModuleFiles(c.name, r.module, r.files, work) : [];
    rmSync(final, { recursive: true, force: true });
    renameSync(work, final);
    return {
      ...base,
      source: 'built',
      goVersion: gover,
      binaries: Object.fromEntries(binaries.map((b) => [b.binary, join(final, 'bin', b.binary)])),
      ...(files.length ? { files: Object.fromEntries(files.map((f) => [f, join(final, 'files', f)])) } : {}),
    };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/** Copies files of the module as the build resolved it (its directory in the module cache) to `work/files/`. */
async function keepModuleFiles(component: string, module: string, entries: string[], work: string): Promise<string[]> {
  const dir = (await runGo(['list', '-m', '-f', '{{.Dir}}', module], work, `${component}: locate ${module}`)).trim();
  const files = entries.flatMap((e) => {
    if (!e.endsWith('/')) return [e];
    if (!existsSync(join(dir, e))) throw new Error(`${component}: ${module} has no ${e}`);
    return readdirSync(join(dir, e)).sort().map((f) => `${e}${f}`);
  });
  for (const f of files) {
    const from = join(dir, f);
    if (!existsSync(from)) throw new Error(`${component}: ${module} has no ${f}`);
    const to = join(work, 'files', f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    // The module cache is read-only; the copy need not be.
    chmodSync(to, 0o644);
  }
  return files;
}

/**
 * Prometheus comes from Debian. A system install is used as it is; otherwise the package is
 * downloaded and unpacked into the cache (no service is started, nothing outside the cache changes).
 */
async function installDebian(c: Component, final: string, progress: ToolchainProgress): Promise<Pick<ComponentManifest, 'source' | 'binaries'>> {
  const r = c.recipe;
  if (r.kind !== 'debian') throw new Error('not a debian recipe');
  const system = r.paths.every((p) => isExecutable(join('/', p.path)));
  mkdirSync(final, { recursive: true });
  if (system) return { source: 'system', binaries: Object.fromEntries(r.paths.map((p) => [p.binary, join('/', p.path)])) };
  const which = await execa('apt-get', ['--version'], { reject: false });
  if (which.exitCode !== 0) {
    throw new UserError(
      `${r.package} is not installed and apt-get is not available to fetch Debian's package`,
      `install ${r.package} ${r.version} with your package manager, or set EBBFLOW_BIN_${r.package.toUpperCase()}`,
    );
  }
  const work = `${final}.build-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    progress.phase(c.name, `apt-get download ${r.package}`);
    let dl = await execa('apt-get', ['download', r.package], { cwd: work, reject: false, all: true });
    if (dl.exitCode !== 0 && process.getuid?.() === 0) {
      // A fresh machine has no package lists yet.
      progress.phase(c.name, 'apt-get update');
      await execa('apt-get', ['update'], { reject: false });
      dl = await execa('apt-get', ['download', r.package], { cwd: work, reject: false, all: true });
    }
    if (dl.exitCode !== 0) {
      throw new UserError(`could not download Debian package ${r.package}:\n${String(dl.all)}`, 'run `apt-get update` as root, or install it yourself');
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download left no .deb in ${work}`);
    progress.phase(c.name, `unpacking ${deb}`);
    await execa('dpkg-deb', ['-x', join(work, deb), join(work, 'root')]);
    const binDir = join(final, 'bin');
    mkdirSync(binDir, { recursive: true });
    const binaries: Record<string, string> = {};
    for (const p of r.paths) {
      const dst = join(binDir, p.binary);
      // Copy beside, then rename over: a reinstall (the recipe gained a binary) must not write into a
      // binary another process is running (ETXTBSY); the rename leaves that process its old file.
      copyFileSync(join(work, 'root', p.path), `${dst}.new`);
      chmodSync(`${dst}.new`, 0o755);
      renameSync(`${dst}.new`, dst);
      binaries[p.binary] = dst;
    }
    return { source: 'debian', binaries };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
