import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Interrupted } from '../../core/component.ts';
import { sleep } from '../../core/wait.ts';
import { cacheRoot } from '../toolchain/paths.ts';

/**
 * Local Docker images into a kind node's containerd, without `kind load`: that command saves the
 * images to a fresh archive on every call (`docker save`, ~10 s for the exporter and the stand-in on
 * 2 busy cores) and runs only once the cluster is up. Here the archive is saved once per content —
 * named by the images' IDs, kept under the cache — and imported as soon as the node's containerd
 * answers, beside `kind create`'s kubeadm run; an image the node already holds with the same ID is
 * not imported again.
 */

/** How many archives stay in the cache: the newest, so a rebuilt exporter does not pile up 300 MB each. */
export const KEEP_ARCHIVES = 3;

/**
 * The archive of these images (order-free): one name per content and name. Each key is
 * `reference@id`: the pods ask for an image by its reference, and a rebuilt image of the same content
 * under a new tag (the exporter's tag follows its sources) must not find an archive or a baked node
 * image holding only the old tag.
 */
export function archiveName(keys: string[]): string {
  return `images-${createHash('sha256').update([...keys].sort().join('\n')).digest('hex').slice(0, 16)}.tar`;
}

/** What names an archive: each image's reference with the ID it has. */
export const imageKeys = (images: string[], ids: string[]): string[] => images.map((ref, i) => `${ref}@${ids[i]}`);

/** Archives to delete: all but the `keep` newest (by modification time), never `current`. */
export function archivesToPrune(files: { name: string; mtimeMs: number }[], current: string, keep = KEEP_ARCHIVES): string[] {
  const others = files.filter((f) => f.name !== current && /^images-[0-9a-f]{16}\.tar$/.test(f.name)).sort((a, b) => b.mtimeMs - a.mtimeMs);
  return others.slice(Math.max(0, keep - 1)).map((f) => f.name);
}

/** The image ID in `crictl inspecti` output (`status.id`), or undefined when it names none. */
export function inspectedImageId(crictlJson: string): string | undefined {
  try {
    const id = (JSON.parse(crictlJson) as { status?: { id?: unknown } }).status?.id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The snapshotter of the CRI plugin in `containerd config dump` (config version 2, containerd 1.x; 3 and 4, containerd 2). */
export function parseSnapshotter(configDump: string): string {
  const section = /^[ \t]*\[plugins\.(?:"io\.containerd\.grpc\.v1\.cri"\.containerd|"io\.containerd\.cri\.v1\.images")\]\s*$/m.exec(configDump);
  if (section) {
    const rest = configDump.slice(section.index + section[0].length);
    const end = rest.search(/^[ \t]*\[/m);
    const m = /^\s*snapshotter\s*=\s*"([^"]+)"/m.exec(end < 0 ? rest : rest.slice(0, end));
    if (m) return m[1]!;
  }
  throw new Error('no CRI snapshotter in the node\'s `containerd config dump`');
}

/** Docker's ID of each local image (what the node's CRI reports as the image's ID once imported). */
export async function dockerImageIds(images: string[]): Promise<string[]> {
  const r = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ...images]);
  return r.stdout.trim().split('\n');
}

/** The images' archive under the cache, saved (to a temporary name, then renamed) only when missing. */
export async function imageArchive(images: string[], ids: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = join(cacheRoot(env), 'kind-images');
  mkdirSync(dir, { recursive: true });
  const name = archiveName(imageKeys(images, ids));
  const file = join(dir, name);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await execa('docker', ['save', '-o', tmp, ...images]);
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  const files = readdirSync(dir).map((f) => ({ name: f, mtimeMs: statSync(join(dir, f)).mtimeMs }));
  for (const f of archivesToPrune(files, name)) rmSync(join(dir, f), { force: true });
  return file;
}

/** Waits until the node container runs and its containerd answers (kind starts it before kubeadm). */
export async function waitForNodeContainerd(container: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await execa('docker', ['exec', container, 'ctr', '--namespace=k8s.io', 'version'], { reject: false });
    if (r.exitCode === 0) return;
    if (Date.now() > deadline) throw new Error(`the containerd of kind node ${container} did not answer within ${timeoutMs / 1000} s: ${String(r.stderr).slice(-500)}`);
    await sleep(250, signal);
    if (signal?.aborted) throw new Interrupted(`stopped waiting for the containerd of kind node ${container}`);
  }
}

/** Which of `images` the node holds with the ID Docker has for them. */
export async function presentOnNode(container: string, images: string[], ids: string[]): Promise<boolean[]> {
  return Promise.all(images.map(async (image, i) => {
    const r = await execa('docker', ['exec', container, 'crictl', 'inspecti', '-o', 'json', image], { reject: false });
    return r.exitCode === 0 && inspectedImageId(r.stdout) === ids[i];
  }));
}

/**
 * The images into the node's containerd (the one a kind node's kubelet uses), skipping those it
 * already holds with the same ID. Returns what was imported.
 */
export async function loadImagesIntoNode(container: string, images: string[], o: { env?: NodeJS.ProcessEnv } = {}): Promise<string[]> {
  const ids = await dockerImageIds(images);
  const present = await presentOnNode(container, images, ids);
  const missing = images.filter((_, i) => !present[i]);
  if (missing.length === 0) return [];
  const missingIds = ids.filter((_, i) => !present[i]);
  const [archive, dump] = await Promise.all([
    imageArchive(missing, missingIds, o.env),
    execa('docker', ['exec', container, 'containerd', 'config', 'dump']),
  ]);
  const r = await execa('docker', ['exec', '-i', container, 'ctr', '--namespace=k8s.io', 'images', 'import', '--all-platforms', '--digests', `--snapshotter=${parseSnapshotter(dump.stdout)}`, '-'], { inputFile: archive, reject: false, all: true });
  if (r.exitCode !== 0) {
    // A half-written archive (a crash between save and rename cannot leave one, a full disk can) is saved again next time.
    if (/unexpected EOF|invalid tar/i.test(String(r.all))) rmSync(archive, { force: true });
    throw new Error(`importing ${missing.join(' ')} into kind node ${container} failed (exit ${r.exitCode}):\n${String(r.all).slice(-2000)}`);
  }
  return missing;
}

/** The node image with the images of `keys` (`imageKeys`) already in its containerd: one tag per base, content and names. */
export function bakedNodeImageTag(base: string, keys: string[]): string {
  return `${base}-with-${archiveName(keys).slice('images-'.length, -'.tar'.length)}`;
}

/** Baked images to delete: every other one of `base` but the `keep` newest (`docker images` lists newest first). */
export function bakedToPrune(tags: string[], base: string, current: string, keep = KEEP_ARCHIVES): string[] {
  return tags.filter((t) => t.startsWith(`${base}-with-`) && t !== current).slice(Math.max(0, keep - 1));
}

/**
 * The kind node image with `images` baked into its containerd, made once per content and names (the
 * images' references and IDs): a cluster created from it needs no import at all. Made as node-image.sh makes the node
 * image — containerd run alone in a container of the base, the archive imported, the container
 * committed with the node's entrypoint — since a kind node keeps /var (containerd's store) in a
 * volume that Docker fills from the image when the node is created.
 */
export async function ensureBakedNodeImage(base: string, images: string[], o: { progress?: (l: string) => void; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const ids = await dockerImageIds(images);
  const tag = bakedNodeImageTag(base, imageKeys(images, ids));
  if ((await execa('docker', ['image', 'inspect', tag], { reject: false })).exitCode === 0) return tag;
  o.progress?.(`kind node image ${tag}: baking ${images.join(' ')} into it (once per content)`);
  const archive = await imageArchive(images, ids, o.env);
  const builder = `ebf-kind-bake-${process.pid}-${Date.now()}`;
  try {
    await execa('docker', ['run', '-d', '--privileged', '--name', builder, '--entrypoint', '/bin/sh', base, '-c', 'mkdir -p /run/containerd; exec containerd']);
    await waitForNodeContainerd(builder, 60_000);
    const dump = await execa('docker', ['exec', builder, 'containerd', 'config', 'dump']);
    const r = await execa('docker', ['exec', '-i', builder, 'ctr', '--namespace=k8s.io', 'images', 'import', '--all-platforms', '--digests', `--snapshotter=${parseSnapshotter(dump.stdout)}`, '-'], { inputFile: archive, reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`baking ${images.join(' ')} into ${base} failed (exit ${r.exitCode}):\n${String(r.all).slice(-2000)}`);
    // containerd stopped first, so its store is committed consistent.
    await execa('docker', ['stop', '-t', '10', builder]);
    await execa('docker', ['commit', '--change', 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]', '--change', 'CMD []', builder, tag]);
  } finally {
    await execa('docker', ['rm', '-f', builder], { reject: false });
  }
  const listed = await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', base.split(':')[0]!], { reject: false });
  for (const old of bakedToPrune(listed.stdout.trim().split('\n').filter(Boolean), base, tag)) await execa('docker', ['rmi', old], { reject: false });
  return tag;
}
