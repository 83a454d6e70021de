import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { UserError } from '../../core/errors.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');

/** The exporter image's two bases: registry images by default, local stand-ins without a registry. */
export interface NodeBaseImages {
  build: string;
  runtime: string;
}

/** Registry-free base images as `node20-base.sh` prints them: two lines, build then runtime. */
export function parseBaseImages(stdout: string): NodeBaseImages {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const [build, runtime] = lines.slice(-2);
  if (lines.length < 2 || !build?.startsWith('ebbflow/node20-build:') || !runtime?.startsWith('ebbflow/node20-runtime:')) {
    throw new Error(`node20-base.sh printed no image names: ${JSON.stringify(stdout.slice(-300))}`);
  }
  return { build, runtime };
}

async function script(name: string, hint: string): Promise<string> {
  const r = await execa(join(HERE, name), { reject: false, stderr: 'inherit' });
  if (r.exitCode === 2) throw new UserError(`${name} could not prepare Docker`, hint);
  if (r.exitCode !== 0) throw new Error(`${name} failed with exit code ${r.exitCode}`);
  return String(r.stdout);
}

/** A Docker daemon that answers: the running one, else Debian's docker.io started as root. */
export async function ensureDocker(): Promise<void> {
  await script('docker-setup.sh', 'start a Docker daemon, or run cluster/kind/docker-setup.sh as root');
}

/**
 * The images node20-base.sh makes for a Node version (`process.version`): the Debian minbase (also
 * the kind node's base), then the build and runtime bases — as the script names them, so a caller
 * can tell whether running it would do anything.
 */
export function nodeBaseImageTags(nodeVersion: string): string[] {
  return ['ebbflow/debian-minbase:bookworm', `ebbflow/node20-build:${nodeVersion}`, `ebbflow/node20-runtime:${nodeVersion}`];
}

let basesChecked: Promise<NodeBaseImages> | undefined;

/** Assembles (once, cached in Docker) the Node 20 base images from this machine's node. */
export function ensureNodeBaseImages(): Promise<NodeBaseImages> {
  // One check per process: a run builds several images on these bases (exporter, workload stand-in).
  basesChecked ??= script('node20-base.sh', 'run cluster/kind/node20-base.sh as root with Node 20 on the PATH').then(parseBaseImages, (e: unknown) => {
    basesChecked = undefined;
    throw e;
  });
  return basesChecked;
}

/** What `docker build -f exporter/Dockerfile` needs: context, file and the base-image arguments. */
export function exporterImageBuild(bases: NodeBaseImages): { context: string; dockerfile: string; buildArgs: Record<string, string> } {
  return { context: REPO, dockerfile: 'exporter/Dockerfile', buildArgs: { BUILD_IMAGE: bases.build, RUNTIME_IMAGE: bases.runtime } };
}

/** Every file `exporter/Dockerfile` copies (what `.dockerignore` lets through), for a content tag. */
function exporterContextFiles(): string[] {
  const out: string[] = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'exporter/Dockerfile'];
  for (const dir of ['exporter', 'core']) {
    for (const f of readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.test.ts') && statSync(join(REPO, dir, f)).isFile()) out.push(join(dir, f));
    }
  }
  return out.sort();
}

/** A tag from the content of `files` (relative to the repository) and `extra` strings. */
export function contentTag(files: string[], extra: string[] = []): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0`).update(readFileSync(join(REPO, f))).update('\0');
  for (const e of extra) h.update(`${e}\0`);
  return h.digest('hex').slice(0, 12);
}

export async function imageExists(image: string): Promise<boolean> {
  return (await execa('docker', ['image', 'inspect', image], { reject: false })).exitCode === 0;
}

/** The exporter image from `exporter/Dockerfile`, tagged by the content it is built from; built only when that tag is missing. */
export async function ensureExporterImage(progress?: (l: string) => void): Promise<string> {
  const bases = await ensureNodeBaseImages();
  const image = `ebbflow/sls-exporter:${contentTag(exporterContextFiles(), [bases.build, bases.runtime])}`;
  if (await imageExists(image)) return image;
  progress?.(`building ${image} from exporter/Dockerfile`);
  const b = exporterImageBuild(bases);
  const args = Object.entries(b.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const r = await execa('docker', ['build', '--force-rm', '-f', b.dockerfile, ...args, '-t', image, '.'], { cwd: b.context, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`docker build of the exporter image failed:\n${String(r.all).slice(-3000)}`);
  return image;
}

/**
 * Stands in for the business workload's image (a registry image here is unreachable): the Node 20
 * runtime base answering every HTTP request with 200 on `$PORT`, as any user the pod names (the
 * script needs no writable path, so a read-only root filesystem works).
 */
// As PID 1, node gets no default SIGTERM handler: without this line every pod waits out its grace period.
export const WORKLOAD_SERVER = "process.on('SIGTERM',()=>process.exit(0));require('http').createServer((q,s)=>{s.setHeader('content-type','text/plain');s.end('ebbflow stand-in\\n')}).listen(Number(process.env.PORT||8080))";

export function workloadDockerfile(runtime: string): string {
  return [`FROM ${runtime}`, 'USER 65532:65532', 'EXPOSE 8080', `ENTRYPOINT ["/nodejs/bin/node", "-e", ${JSON.stringify(WORKLOAD_SERVER)}]`, ''].join('\n');
}

/** The workload stand-in image, tagged by its Dockerfile; built (from stdin, no context) only when missing. */
export async function ensureWorkloadImage(progress?: (l: string) => void): Promise<string> {
  const bases = await ensureNodeBaseImages();
  const dockerfile = workloadDockerfile(bases.runtime);
  const image = `ebbflow/http-standin:${createHash('sha256').update(dockerfile).digest('hex').slice(0, 12)}`;
  if (await imageExists(image)) return image;
  progress?.(`building ${image}`);
  const r = await execa('docker', ['build', '--force-rm', '-t', image, '-'], { input: dockerfile, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`docker build of the workload stand-in failed:\n${String(r.all).slice(-3000)}`);
  return image;
}
