import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ensureBinaries, KUBERNETES_VERSION, type ToolchainProgress } from '../toolchain/index.ts';
import { KIND_VERSION } from '../toolchain/versions.ts';
import { ensureDocker, ensureNodeBaseImages } from './images.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(HERE, 'node-image.sh');

/** Binaries the node image is made of (kubectl goes into the node too). */
export const NODE_IMAGE_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kubelet', 'kubeadm', 'kube-proxy', 'etcd', 'kind'];

/**
 * The node image's tag: the Kubernetes version and a hash of the recipe, so a changed recipe (or a
 * different kind release, whose base files it copies) builds a new image instead of reusing a stale one.
 */
export function nodeImageTag(kubeVersion: string, recipe: string, kindVersion: string): string {
  const h = createHash('sha256').update(recipe).update(kindVersion).digest('hex').slice(0, 10);
  return `ebbflow/kind-node:${kubeVersion}-${h}`;
}

/** The tag of the kind node image this checkout's recipe makes. */
export function kindNodeImageTag(): string {
  return nodeImageTag(KUBERNETES_VERSION, readFileSync(SCRIPT, 'utf8'), KIND_VERSION);
}

async function moduleDir(modAtVersion: string): Promise<string> {
  const r = await execa('go', ['mod', 'download', '-json', modAtVersion], { cwd: tmpdir() });
  return (JSON.parse(String(r.stdout)) as { Dir: string }).Dir;
}

/**
 * The kind node image for the pinned Kubernetes version, assembled offline once and then found in
 * Docker: builds the missing toolchain binaries, makes sure Docker runs, runs node-image.sh.
 */
export async function ensureKindNodeImage(o: { progress?: (line: string) => void; toolchainProgress?: ToolchainProgress } = {}): Promise<string> {
  const say = o.progress ?? (() => {});
  const tag = kindNodeImageTag();
  await ensureDocker();
  if ((await execa('docker', ['image', 'inspect', tag], { reject: false })).exitCode === 0) return tag;
  say(`kind node image ${tag}: assembling (about 2 minutes, once)`);
  await ensureNodeBaseImages();
  const bins = await ensureBinaries(NODE_IMAGE_BINARIES, o.toolchainProgress);
  const binDir = mkdtempSync(join(tmpdir(), 'ebf-kind-bin-'));
  try {
    for (const b of NODE_IMAGE_BINARIES) symlinkSync(bins[b]!, join(binDir, b));
    const kindDir = await moduleDir(`sigs.k8s.io/kind@${KIND_VERSION}`);
    const kubeDir = await moduleDir(`k8s.io/kubernetes@${KUBERNETES_VERSION}`);
    const images = await execa(bins['kubeadm']!, ['config', 'images', 'list', '--kubernetes-version', KUBERNETES_VERSION]);
    await execa(SCRIPT, [tag], {
      stdout: 'ignore',
      stderr: 'inherit',
      env: {
        KIND_BASE_FILES: join(kindDir, 'images', 'base', 'files'),
        KUBE_VERSION: KUBERNETES_VERSION,
        KUBE_BIN_DIR: binDir,
        ETCD_BIN: bins['etcd']!,
        PAUSE_C: join(kubeDir, 'build', 'pause', 'linux', 'pause.c'),
        IMAGE_TAGS: String(images.stdout),
      },
    });
  } finally {
    rmSync(binDir, { recursive: true, force: true });
  }
  return tag;
}
