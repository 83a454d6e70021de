import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../core/errors.ts';
import { waitUntil } from '../../core/wait.ts';
import { hpaFlagsSchema, type HpaFlags } from '../local/control-plane.ts';
import { clusterSupervisor, kubeconfigPath, removeClusterDirs, validateClusterName } from '../local/state.ts';
import type { EciNode } from '../nodes/config.ts';
import { ensureBinaries, type ToolchainProgress } from '../toolchain/index.ts';
import { KIND_SCHEDULER_MANIFEST, KIND_SCHEDULER_PARKED, kindClusterConfigYaml, vkEciArgs } from './config.ts';
import { loadImagesIntoNode } from './image-load.ts';
import { ensureKindNodeImage } from './node-image.ts';
import { kindClusterName, kindDir, kindOwnedLabels } from './locate.ts';

export interface KindClusterInput {
  name?: string;
  /** Compression factor k (HPA flags divided by it, as in the local backend). */
  compression?: number;
  hpa?: Partial<HpaFlags>;
  /** Labels of the node (the ECS pool's: source pods land on it as on ECS). */
  nodeLabels?: Record<string, string>;
  /** The ECI virtual node: vk-eci (a real virtual-kubelet) started beside the cluster, stopped with it. */
  eci?: EciNode;
  /** vk-eci outlives this process (`cluster up`: the CLI exits, `cluster down` stops it). */
  detachEci?: boolean;
  /**
   * `external`: kind's own kube-scheduler is stopped once the cluster is up; the run starts its own
   * beside the cluster (a kube-scheduler with a plugin, e.g. cluster/resourcepolicy), as the local
   * backend's `scheduler: external`.
   */
  scheduler?: 'kube-scheduler' | 'external';
  /** A node image made from ours with more in it (`ensureBakedNodeImage`: a replay's images); default ours. */
  nodeImage?: string;
}

export interface KindCluster {
  name: string;
  kubeconfig: string;
  /** Docker container of the control-plane node (for `docker exec`, `kind load`). */
  nodeContainer: string;
  /** This machine's address on kind's Docker network (its gateway): what pods and the node reach the host at. */
  hostAddress: string;
  /** The ECI virtual node's name, when `eci` was given. */
  virtualNode?: string;
  /** What the ECI node cannot model of the scenario (printed by the caller). */
  warnings: string[];
  stop(): Promise<void>;
}

export { kindClusterName };

/**
 * One-node kind cluster from the offline node image, up to a Ready node (kind's --wait). The
 * kubeconfig is kept under the state directory, never merged into ~/.kube/config.
 */
export async function startKindCluster(input: KindClusterInput = {}, o: { progress?: (l: string) => void; toolchainProgress?: ToolchainProgress; env?: NodeJS.ProcessEnv; step?: (name: string) => void } = {}): Promise<KindCluster> {
  const env = o.env ?? process.env;
  const name = validateClusterName(input.name ?? 'ebbflow', '--name');
  const k = input.compression ?? 1;
  const image = input.nodeImage ?? (await ensureKindNodeImage({ progress: o.progress, toolchainProgress: o.toolchainProgress }));
  const { kind, kubectl } = await ensureBinaries(['kind', 'kubectl'], o.toolchainProgress);
  const dir = kindDir(name, env);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'kind.yaml');
  writeFileSync(config, kindClusterConfigYaml({ image, hpa: hpaFlagsSchema.parse(input.hpa ?? {}), k, ...(input.nodeLabels ? { nodeLabels: input.nodeLabels } : {}) }));
  const kubeconfig = join(dir, 'kubeconfig');
  const kname = kindClusterName(name);
  const existing = await execa(kind!, ['get', 'clusters'], { reject: false });
  if (String(existing.stdout).split('\n').includes(kname)) {
    throw new UserError(`kind cluster ${kname} already exists`, `run \`ebbflow cluster down --backend kind --cluster-name ${name}\` first`);
  }
  o.progress?.(`kind create cluster ${kname} (${image})`);
  o.step?.('kind create');
  const r = await execa(kind!, ['create', 'cluster', '--name', kname, '--config', config, '--kubeconfig', kubeconfig, '--wait', '180s'], { reject: false, all: true });
  if (r.exitCode !== 0) {
    await execa(kind!, ['delete', 'cluster', '--name', kname], { reject: false });
    throw new Error(`kind create cluster ${kname} failed:\n${String(r.all).slice(-3000)}`);
  }
  // A Ready node is not yet a usable cluster: pods are refused until kcm has made the default
  // namespace's service account.
  o.step?.('default service account');
  await waitUntil('the default service account', 60_000, async () => {
    const sa = await execa(kubectl!, ['--kubeconfig', kubeconfig, 'get', 'serviceaccount', 'default', '-o', 'name'], { reject: false });
    return sa.exitCode === 0 ? true : undefined;
  });
  const stop = () => stopKindCluster(name, env);
  const nodeContainer = kindNodeContainer(name);
  try {
    if (input.scheduler === 'external') await stopKindScheduler(nodeContainer, kubeconfig, kubectl!, o.progress);
    const hostAddress = await kindGateway();
    if (input.eci) o.step?.('vk-eci');
    const vk = input.eci ? await startVkEci(name, kubeconfig, dir, vkEciArgs(input.eci, k), { progress: o.progress, detached: input.detachEci ?? false }) : undefined;
    return { name, kubeconfig, nodeContainer, hostAddress, ...(vk ? { virtualNode: vk.node } : {}), warnings: vk?.warnings ?? [], stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Stops kind's kube-scheduler for good: its static pod manifest is moved out of the kubelet's
 * manifests directory, then this waits until the kubelet has deleted the mirror pod and no
 * kube-scheduler process is left on the node, so two schedulers never bind the run's pods. Done
 * after `kind create` rather than by skipping kubeadm's scheduler phase: kubeadm v1.36's init waits
 * for every control-plane component's static pod read from disk and fails without it.
 */
async function stopKindScheduler(container: string, kubeconfig: string, kubectl: string, progress?: (l: string) => void): Promise<void> {
  progress?.(`stopping kind's kube-scheduler (${KIND_SCHEDULER_MANIFEST} moved out of the node's manifests directory)`);
  await execa('docker', ['exec', container, 'mv', KIND_SCHEDULER_MANIFEST, KIND_SCHEDULER_PARKED]);
  const mirror = `kube-scheduler-${container}`;
  let left = '';
  await waitUntil("kind's kube-scheduler to stop", 60_000, async () => {
    left = await kindSchedulerLeft(container, mirror, kubeconfig, kubectl);
    return left === '' ? true : undefined;
  }, () => left, 250);
}

/** What is left of kind's kube-scheduler on the node ('' when nothing). */
async function kindSchedulerLeft(container: string, mirror: string, kubeconfig: string, kubectl: string): Promise<string> {
  const pod = await execa(kubectl, ['--kubeconfig', kubeconfig, '-n', 'kube-system', 'get', 'pod', mirror, '--ignore-not-found', '-o', 'name'], { reject: false });
  if (pod.exitCode !== 0 || pod.stdout.trim() !== '') return `mirror pod ${mirror} still there`;
  // pgrep exits 1 when nothing matches: the static pod's container is gone too.
  const proc = await execa('docker', ['exec', container, 'pgrep', '-x', 'kube-scheduler'], { reject: false });
  return proc.exitCode === 1 ? '' : `kube-scheduler still running on the node (pgrep: exit ${proc.exitCode}, ${proc.stdout.trim()})`;
}

const VK_LABEL = 'vk-eci';

/** vk-eci under the cluster's supervisor (so `cluster down` stops it after a crash), up to its node Ready. */
async function startVkEci(name: string, kubeconfig: string, dir: string, vk: ReturnType<typeof vkEciArgs>, o: { progress?: (l: string) => void; detached: boolean }): Promise<{ node: string; warnings: string[] }> {
  const progress = o.progress;
  const bin = (await ensureBinaries([VK_LABEL]))[VK_LABEL]!;
  progress?.(`starting the ECI virtual node ${vk.node} (vk-eci)`);
  const logFile = join(dir, 'vk-eci.log');
  const proc = clusterSupervisor(name).spawn({ label: VK_LABEL, bin, args: ['--kubeconfig', kubeconfig, ...vk.args], logFile, detached: o.detached });
  await waitUntil(`vk-eci to report ${vk.node} ready`, 120_000, async () => (proc.logTail(200).includes(`virtual node ${vk.node} ready`) ? true : undefined), () => proc.logTail(30));
  return { node: vk.node, warnings: vk.warnings };
}

/** The IPv4 gateway of kind's Docker network: the host as the node container (and its pods) reach it. */
export async function kindGateway(): Promise<string> {
  const r = await execa('docker', ['network', 'inspect', 'kind', '--format', '{{range .IPAM.Config}}{{.Gateway}} {{end}}']);
  const gw = r.stdout.split(/\s+/).find((x) => /^\d+\.\d+\.\d+\.\d+$/.test(x));
  if (!gw) throw new Error(`kind's Docker network has no IPv4 gateway: ${r.stdout}`);
  return gw;
}

export async function stopKindCluster(name: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  validateClusterName(name, '--name');
  // stopAll forgets what it stopped (its record would otherwise outlive the process).
  const sup = clusterSupervisor(name, env);
  const labels = sup.list().map((r) => r.label);
  const ours = kindOwnedLabels(labels, existsSync(kubeconfigPath(name, env)), VK_LABEL);
  await sup.stopAll({ except: labels.filter((l) => !ours.includes(l)) });
  const { kind } = await ensureBinaries(['kind']);
  const del = await execa(kind!, ['delete', 'cluster', '--name', kindClusterName(name)], { reject: false, all: true });
  // Never reported as down while its containers may run: the state stays for another try.
  if (del.exitCode !== 0) throw new Error(`kind delete cluster ${kindClusterName(name)} failed (exit ${del.exitCode}):\n${String(del.all).slice(-2000)}`);
  rmSync(kindDir(name, env), { recursive: true, force: true });
  // vk-eci (and a replay's host processes) were recorded under the local backend's directory of
  // this name; with no local cluster there and nothing left running, it would show up as a cluster.
  if (sup.list().length === 0 && !existsSync(kubeconfigPath(name, env))) removeClusterDirs(name, env);
  await removeIdleKindNetwork();
}

/**
 * kind creates the Docker network `kind` with the first cluster and never removes it; the last
 * cluster we stop takes it away, so nothing of ours outlives a run. A network still in use (another
 * kind cluster, ours or not) is left alone: Docker refuses to remove it.
 */
async function removeIdleKindNetwork(): Promise<void> {
  const r = await execa('docker', ['network', 'inspect', 'kind', '--format', '{{len .Containers}}'], { reject: false });
  if (r.exitCode === 0 && r.stdout.trim() === '0') await execa('docker', ['network', 'rm', 'kind'], { reject: false });
}

/** Loads a local Docker image into the cluster's node (no registry involved). */
export async function kindLoadImage(name: string, image: string): Promise<void> {
  await kindLoadImages(name, [image]);
}

/**
 * Several images in one archive, so layers they share (a common base) are copied once; the archive
 * is kept per content and an image the node holds with the same ID is skipped (`image-load.ts`).
 */
export async function kindLoadImages(name: string, images: string[]): Promise<void> {
  await loadImagesIntoNode(kindNodeContainer(name), images);
}

/** The Docker container of a one-node kind cluster's node. */
export function kindNodeContainer(name: string): string {
  return `${kindClusterName(name)}-control-plane`;
}
