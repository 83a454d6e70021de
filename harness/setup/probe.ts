import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { missingComponents } from '../../cluster/toolchain/index.ts';
import { nodeBaseImageTags } from '../../cluster/kind/images.ts';
import { kindNodeImageTag } from '../../cluster/kind/node-image.ts';
import { chromiumPath } from '../../reports/chromium.ts';
import { PYTHON_SDK_COMPONENT, type SetupFacts } from './plan.ts';

async function succeeds(cmd: string, args: string[]): Promise<boolean> {
  return (await execa(cmd, args, { reject: false, stdin: 'ignore', timeout: 20_000 })).exitCode === 0;
}

/** Tags in Docker, or none when no daemon answers. One `docker image ls` rather than an inspect per image: the warm path stays one process. */
async function dockerImages(): Promise<{ docker: boolean; images: string[] }> {
  const r = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { reject: false, stdin: 'ignore', timeout: 20_000 });
  if (r.exitCode !== 0) return { docker: false, images: [] };
  return { docker: true, images: String(r.stdout).split('\n').map((l) => l.trim()).filter(Boolean) };
}

/** What is present for the tests, the slow probes (python3, docker) side by side. */
export async function probeTestSetup(env: NodeJS.ProcessEnv = process.env): Promise<SetupFacts> {
  const toolchainMissing = missingComponents(env);
  const chromium = chromiumPath(env);
  // `docker image ls` fails exactly when `docker info` would: no daemon, or no permission on its socket.
  const [pythonVenv, d] = await Promise.all([
    toolchainMissing.includes(PYTHON_SDK_COMPONENT) ? succeeds('python3', ['-c', 'import venv, ensurepip']) : Promise.resolve(undefined),
    dockerImages(),
  ]);
  return {
    root: process.getuid?.() === 0,
    toolchainMissing,
    ...(pythonVenv === undefined ? {} : { pythonVenv }),
    chromium: { path: chromium, present: existsSync(chromium), fromEnv: env.EBBFLOW_CHROMIUM !== undefined },
    docker: d.docker,
    images: d.images,
    baseImages: nodeBaseImageTags(process.version),
    kindNodeImage: kindNodeImageTag(),
  };
}
