import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { UserError } from '../../harness/common/errors.ts';

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

/** Assembles (once, cached in Docker) the Node 20 base images from this machine's node. */
export async function ensureNodeBaseImages(): Promise<NodeBaseImages> {
  return parseBaseImages(await script('node20-base.sh', 'run cluster/kind/node20-base.sh as root with Node 20 on the PATH'));
}

/** What `docker build -f exporter/Dockerfile` needs: context, file and the base-image arguments. */
export function exporterImageBuild(bases: NodeBaseImages): { context: string; dockerfile: string; buildArgs: Record<string, string> } {
  return { context: REPO, dockerfile: 'exporter/Dockerfile', buildArgs: { BUILD_IMAGE: bases.build, RUNTIME_IMAGE: bases.runtime } };
}
