import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import { UserError } from '../../core/errors.ts';
import { buildWithProgress, runGo } from './gobuild.ts';
import type { ToolchainProgress } from './progress.ts';
import type { BuildRecipe, Component } from './versions.ts';

/**
 * The two non-binary components: a Python SDK in a virtualenv (pip) and a Go main kept in this
 * repository (go-local). Both build into a scratch directory renamed into place, like the rest.
 */

type PipRecipe = Extract<BuildRecipe, { kind: 'pip' }>;
type GoLocalRecipe = Extract<BuildRecipe, { kind: 'go-local' }>;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Hash of a go-local component's source files, so an edit rebuilds it. */
export function sourceHash(r: GoLocalRecipe): string {
  const dir = join(REPO_ROOT, r.dir);
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((n) => /\.(go|mod|sum)$/.test(n)).sort()) h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

async function lines(sub: ReturnType<typeof execa>, onLine: (l: string) => void): Promise<string> {
  const tail: string[] = [];
  if (sub.all) {
    createInterface({ input: sub.all }).on('line', (l) => {
      tail.push(l);
      if (tail.length > 30) tail.shift();
      onLine(l);
    });
  }
  const r = await sub;
  if (r.exitCode !== 0) throw new Error(tail.join('\n'));
  return tail.join('\n');
}

/** python3 -m venv, then pip install of the pinned requirements with a line of progress per package. */
export async function installPip(c: Component, work: string, progress: ToolchainProgress): Promise<Record<string, string>> {
  const r = c.recipe as PipRecipe;
  progress.phase(c.name, 'creating a Python virtualenv');
  const venv = join(work, 'venv');
  const mk = await execa('python3', ['-m', 'venv', venv], { reject: false, all: true });
  if (mk.exitCode !== 0) {
    throw new UserError(`${c.name}: \`python3 -m venv\` failed:\n${String(mk.all ?? mk.message)}`, 'install Python 3.8+ with its venv module (Debian: apt-get install python3-venv)');
  }
  const total = r.requirements.length + 1;
  progress.phase(c.name, 'pip install', total);
  let n = 0;
  const pip = execa(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...r.requirements], { reject: false, all: true });
  await lines(pip, (l) => {
    // pip also collects what the requirements depend on, so the count stops short of the total until pip is done.
    if (/^Collecting/.test(l)) progress.advance(c.name, Math.min(++n, total - 1), l.slice(0, 60));
    else if (/^Successfully installed/.test(l)) progress.advance(c.name, total, l.slice(0, 60));
  }).catch((e: Error) => {
    throw new UserError(`${c.name}: pip install ${r.requirements.join(' ')} failed:\n${e.message}`, 'check that PyPI is reachable (pip config, PIP_INDEX_URL)');
  });
  return { [r.binary]: 'venv/bin/python' };
}

/** Copies the repository's Go main into the scratch dir (go.sum may change there, not in the repo) and builds it. */
export async function installGoLocal(c: Component, work: string, progress: ToolchainProgress): Promise<{ binaries: Record<string, string>; sourceHash: string }> {
  const r = c.recipe as GoLocalRecipe;
  const src = join(REPO_ROOT, r.dir);
  const goMod = readFileSync(join(src, 'go.mod'), 'utf8');
  if (!new RegExp(`^\\s*(require\\s+)?${r.module.replace(/[.]/g, '\\.')}\\s+${r.version.replace(/[.]/g, '\\.')}\\s*$`, 'm').test(goMod)) {
    throw new Error(`${r.dir}/go.mod must require ${r.module} ${r.version}, the version pinned in cluster/toolchain/versions.ts`);
  }
  const mod = join(work, 'src');
  cpSync(src, mod, { recursive: true });
  progress.phase(c.name, 'resolving modules');
  await runGo(['mod', 'download'], mod, `${c.name}: resolve modules`);
  const out = join(work, 'out');
  mkdirSync(out, { recursive: true });
  await buildWithProgress({ cwd: mod, component: c.name, packages: ['.'], outDir: out, ldflags: [], progress });
  const built = readdirSync(out)[0];
  if (!built) throw new Error(`${c.name}: go build produced nothing in ${out}`);
  mkdirSync(join(work, 'bin'), { recursive: true });
  renameSync(join(out, built), join(work, 'bin', r.binary));
  rmSync(out, { recursive: true, force: true });
  rmSync(mod, { recursive: true, force: true });
  return { binaries: { [r.binary]: join('bin', r.binary) }, sourceHash: sourceHash(r) };
}

/** Builds a pip or go-local component at `final` (scratch dir, then rename); binaries are absolute paths. */
export async function installExtra(c: Component, final: string, progress: ToolchainProgress): Promise<{ binaries: Record<string, string>; sourceHash?: string }> {
  const work = `${final}.build-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const got = c.recipe.kind === 'pip' ? { binaries: await installPip(c, work, progress) } : await installGoLocal(c, work, progress);
    rmSync(final, { recursive: true, force: true });
    renameSync(work, final);
    const binaries = Object.fromEntries(Object.entries(got.binaries).map(([b, rel]) => [b, join(final, rel)]));
    for (const p of Object.values(binaries)) if (!existsSync(p)) throw new Error(`${c.name}: ${p} missing after install`);
    return { ...got, binaries };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}
