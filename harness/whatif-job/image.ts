import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ensureDocker, ensureNodeBaseImages, imageExists } from '../../cluster/kind/images.ts';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { UserError } from '../../core/errors.ts';

/**
 * The ebbflow tool image: built from a context of exactly the files it compiles (so the tag's hash
 * is the hash of that context and the bases), loaded into kind clusters without a registry.
 */

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROOT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const SOURCE_DIRS = ['core', 'kinds', 'harness', 'cluster', 'scenarios', 'simulator', 'manifests', 'advise'];
const SKIP = new Set(['node_modules', 'dist', 'out', '.cache']);

/** Repository-relative files of the build context: the root files and every non-test .ts source (test support — `testing.ts`, vitest's `*.setup.ts` — left out, as the package leaves it out). */
export function contextFiles(repo = REPO): string[] {
  const out = [...ROOT_FILES, 'harness/whatif-job/Dockerfile', 'harness/whatif-job/tsconfig.image.json'];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory() && !SKIP.has(e.name)) walk(full);
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.setup.ts') && e.name !== 'testing.ts') out.push(relative(repo, full).split(sep).join('/'));
    }
  };
  for (const d of SOURCE_DIRS) walk(join(repo, d));
  return [...new Set(out)].sort();
}

/** `ebbflow/ebbflow:<version>-<12 hex of sha256 over the bases and every context file's path and bytes>`. */
export function toolImageTag(version: string, files: { path: string; bytes: Buffer }[], bases: string[]): string {
  const h = createHash('sha256');
  for (const b of bases) h.update(`base ${b}\n`);
  for (const f of files) h.update(`${f.path}\n${f.bytes.length}\n`).update(f.bytes);
  return `ebbflow/ebbflow:${version}-${h.digest('hex').slice(0, 12)}`;
}

/** Builds the tool image once per content hash (Docker keeps it); returns its tag. */
export async function ensureToolImage(o: { progress?: (line: string) => void } = {}): Promise<string> {
  await ensureDocker();
  const bases = await ensureNodeBaseImages();
  const missing = ROOT_FILES.filter((f) => !existsSync(join(REPO, f)));
  if (missing.length) {
    // npm never packs package-lock.json, and the image's `npm ci` needs it.
    throw new UserError(`the tool image is built from an ebbflow checkout; this installed package lacks ${missing.join(', ')}`, 'run `ebbflow whatif --on-cluster` once from a checkout of ebbflow (it builds ebbflow/ebbflow:<version>-<hash>), push that image and pass --image');
  }
  const paths = contextFiles();
  const files = paths.map((path) => ({ path, bytes: readFileSync(join(REPO, path)) }));
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  const tag = toolImageTag(version, files, [bases.build, bases.runtime]);
  if (await imageExists(tag)) return tag;
  const ctx = mkdtempSync(join(tmpdir(), 'ebbflow-image-'));
  try {
    for (const p of paths) {
      mkdirSync(dirname(join(ctx, p)), { recursive: true });
      copyFileSync(join(REPO, p), join(ctx, p));
    }
    o.progress?.(`building ${tag} (${paths.length} files)`);
    const r = await execa('docker', ['build', '--force-rm', '-q', '-f', 'harness/whatif-job/Dockerfile', '--build-arg', `BUILD_IMAGE=${bases.build}`, '--build-arg', `RUNTIME_IMAGE=${bases.runtime}`, '-t', tag, '.'], { cwd: ctx, reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`docker build of ${tag} failed:\n${String(r.all).slice(-3000)}`);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  return tag;
}

/** The kind cluster a kubeconfig context points at (`kind-<cluster>`), if kind knows it. */
export async function detectKindCluster(context: string | undefined): Promise<string | undefined> {
  if (!context?.startsWith('kind-')) return undefined;
  const { kind } = await ensureBinaries(['kind']);
  const r = await execa(kind!, ['get', 'clusters'], { reject: false });
  const name = context.slice('kind-'.length);
  return r.exitCode === 0 && String(r.stdout).split('\n').includes(name) ? name : undefined;
}

/** `kind load docker-image` into the kind cluster named as `kind get clusters` lists it. */
export async function loadIntoKind(cluster: string, image: string): Promise<void> {
  const { kind } = await ensureBinaries(['kind']);
  const clusters = await execa(kind!, ['get', 'clusters'], { reject: false });
  if (!String(clusters.stdout).split('\n').includes(cluster)) throw new UserError(`--load-into-kind ${cluster}: no such kind cluster`, `kind get clusters lists: ${String(clusters.stdout).split('\n').filter(Boolean).join(', ') || 'none'}`);
  const r = await execa(kind!, ['load', 'docker-image', image, '--name', cluster], { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`kind load docker-image ${image} --name ${cluster} failed:\n${String(r.all).slice(-2000)}`);
}
