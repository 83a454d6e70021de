import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { execa } from 'execa';
import YAML from 'yaml';
import { Interrupted } from '../../core/component.ts';
import { UserError } from '../../core/errors.ts';
import { ensureBinaries } from '../toolchain/index.ts';
import type { ToolchainProgress } from '../toolchain/progress.ts';
import { checkNodePools, virtualNodeName, type EciFailure } from '../nodes/config.ts';
import { setEciFailures } from '../nodes/eci-agent.ts';
import { allNodes } from '../nodes/objects.ts';
import { renderStages } from '../nodes/stages.ts';
import { clusterConfigSchema, type ClusterConfig, type ClusterConfigInput } from './config.ts';
import { LOOPBACK, kwokctlConfiguration, standaloneControllerManagerArgs } from './control-plane.ts';
import {
  AGENT_LABEL, KWOKCTL_LABEL, adoptControlPlane, findAgentProcesses, agentLogFile, clusterSupervisor, componentPids, controlPlaneRecords, ebbflowClusterDir, findClusterProcesses, isAlive, kubeconfigPath,
  kwokClusterDir, kwokctlConfigPath, kwokctlRecords, kwokWorkdir, pkiDir, readRecord, removeClusterDirs, stateDir, validateClusterName, writeOwner, writeRecord,
} from './state.ts';
import { descendantsOf, isRecordedProcess, killRecorded, processTable, signalRecorded, stopRecorded, type ProcessRecord } from './supervisor.ts';
import { rawApi } from './raw-api.ts';
import { isLoopback, listenersOf } from './listeners.ts';
import { waitUntil, WaitGaveUp } from '../../core/wait.ts';
import { reservePorts, type ClusterPorts } from './ports.ts';

const KCM_LABEL = 'kube-controller-manager';
const HEALTHZ = '/healthz?exclude=poststarthook/rbac/bootstrap-roles';
const BINARIES = ['kwokctl', 'kwok', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'];
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LocalCluster {
  name: string;
  config: ClusterConfig;
  /** Path of an admin kubeconfig for this cluster. */
  kubeconfig: string;
  kubeConfig: KubeConfig;
  server: string;
  pkiDir: string;
  virtualNode: string | undefined;
  ecsNodes: string[];
  /** Seconds from start to every node Ready, by step. */
  timings: Record<string, number>;
  kubectl(args: string[], opts?: { input?: string }): Promise<string>;
  setEciFailures(rules: Partial<EciFailure>): Promise<void>;
  /**
   * With `deferControllerManager`: starts kube-controller-manager now (once; later calls return the
   * same promise). Absent otherwise.
   */
  startControllerManager?(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * The process whose death tears the cluster down (default: this process). `null` makes the
   * cluster outlive its creator, as `ebbflow cluster up` does.
   */
  ownerPid?: number | null;
  progress?: (message: string) => void;
  toolchainProgress?: ToolchainProgress;
  env?: NodeJS.ProcessEnv;
  /** Aborting stops what was started; startCluster then rejects with `Interrupted`. */
  signal?: AbortSignal;
  /**
   * Start kube-controller-manager only when `startControllerManager()` is called, e.g. after the
   * CRDs and aggregated APIs it must know exist. kcm fills its RESTMapper once at start and resets
   * it every 30 s (hard-coded, no flag): a CRD created after kcm started is unknown to the HPA for
   * up to 30 s. The default ServiceAccount (made by kcm) is then not waited for.
   */
  deferControllerManager?: boolean;
  /**
   * Called once the cluster's name is ours (a leftover of that name cleared, the owner recorded):
   * from then on processes may be started through the cluster's supervisor while the control plane
   * is still coming up, without a leftover's teardown stopping them.
   */
  onClaimed?: () => void;
}

function kwokEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, KWOK_WORKDIR: kwokWorkdir(env) };
}

export function parseClusterConfig(input: ClusterConfigInput, source = 'cluster config'): ClusterConfig {
  const r = clusterConfigSchema.safeParse(input);
  if (!r.success) {
    const msgs = r.error.issues.map((i) => {
      const keys = (i as { keys?: string[] }).keys;
      const path = [...i.path, ...(i.code === 'unrecognized_keys' && keys ? [keys.join(', ')] : [])].join('.');
      return `${source}: ${path}: ${i.message}`;
    });
    throw new UserError(msgs.join('\n'));
  }
  const extra = checkNodePools(r.data.nodePools);
  if (extra.length > 0) throw new UserError(extra.map((m) => `${source}: nodePools.${m}`).join('\n'));
  return r.data;
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((res, rej) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      rej(
        e.code === 'EADDRINUSE'
          ? new UserError(`port ${port} is already in use`, 'choose another --port, or stop what listens there (`ss -ltnp`)')
          : e,
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => res()));
  });
}

function loadKubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** The per-cluster agent (ECI provider, owner watchdog) as a supervised, detached process. */
function startAgent(name: string, env: NodeJS.ProcessEnv): void {
  mkdirSync(ebbflowClusterDir(name, env), { recursive: true });
  clusterSupervisor(name, env).spawn({
    label: AGENT_LABEL,
    bin: process.execPath,
    args: [join(repoRoot, 'bin', 'ebbflow.js'), 'cluster', 'agent', '--name', name],
    logFile: agentLogFile(name, env),
    detached: true,
    env: { ...env, EBBFLOW_STATE_DIR: stateDir(env) },
  });
}

/** A cluster of that name left over: refuse when it runs, clear it when it crashed. */
async function clearLeftover(name: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!existsSync(kwokClusterDir(name, env)) && !readRecord(name, env)) return;
  const st = await clusterStatus(name, env);
  if (st.components.some((c) => c.state === 'running')) {
    throw new UserError(`cluster "${name}" is already running`, `use it (kubeconfig ${st.kubeconfig}), or \`ebbflow cluster down --cluster-name ${name}\` first`);
  }
  await stopCluster(name, env);
}

/**
 * The longest a start may take: kwokctl's create and each wait after it (the apiserver,
 * kwok-controller, the nodes and, unless kcm is deferred, the default ServiceAccount) are each
 * bounded by `readyTimeoutSeconds`.
 */
export function startDeadlineSeconds(config: ClusterConfig, opts: { deferControllerManager?: boolean } = {}): number {
  return config.readyTimeoutSeconds * (opts.deferControllerManager ? 4 : 5);
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK as local processes
 * through kwokctl's binary runtime with our pinned binaries, registers the node pools, and returns
 * once every node is Ready. A cluster agent process stamps ECI pod latencies and tears the cluster
 * down if the owner process dies, so a crashed test leaves nothing behind. An aborted `signal`
 * stops what was started and rejects with `Interrupted`.
 */
export async function startCluster(input: ClusterConfigInput = {}, opts: StartOptions = {}): Promise<LocalCluster> {
  const env = opts.env ?? process.env;
  const config = parseClusterConfig(input);
  const name = validateClusterName(config.name);
  const say = opts.progress ?? (() => {});
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (step: string) => (timings[step] = Math.round(performance.now() - t0) / 1000);

  await clearLeftover(name, env);
  if (config.apiserverPort) await assertPortFree(config.apiserverPort);
  const bins = await ensureBinaries(BINARIES, opts.toolchainProgress);
  mark('toolchain');
  if (opts.signal?.aborted) throw new Interrupted(`interrupted before starting cluster "${name}"`);

  // The agent starts first, owned by us, so that even a crash during `create` is cleaned up.
  writeOwner(name, process.pid, env);
  writeRecord({ name, createdAt: new Date().toISOString(), compression: config.compression, config }, env);
  // Released once the start ended: its processes then hold their ports, which every probe sees.
  const reserved = await reservePorts(`${name}@${stateDir(env)}`, name, config.apiserverPort ? { kubeApiserverPort: config.apiserverPort } : undefined);
  try {
    startAgent(name, env);
    opts.onClaimed?.();
    const kc = await createControlPlane(config, bins, env, opts.signal, say, opts.deferControllerManager ?? false, reserved.ports);
    mark('controlPlane');
    await registerNodes(config, kc, env, opts.signal, say, mark, !opts.deferControllerManager);
    const ownerPid = opts.ownerPid === undefined ? process.pid : opts.ownerPid;
    writeOwner(name, ownerPid ?? undefined, env);
    say(`cluster "${name}" ready in ${timings.ready}s`);
    const h = handle(name, config, kubeconfigPath(name, env), kc, bins.kubectl!, timings, env);
    if (opts.deferControllerManager) {
      let started: Promise<void> | undefined;
      h.startControllerManager = () => (started ??= startControllerManager(config, bins['kube-controller-manager']!, env));
    }
    return h;
  } catch (e) {
    if (opts.signal?.aborted) say(`interrupted: stopping cluster "${name}"`);
    await stopCluster(name, env).catch(() => {});
    if (opts.signal?.aborted && !(e instanceof Interrupted)) throw new Interrupted(`interrupted while starting cluster "${name}"`);
    throw e;
  } finally {
    reserved.release();
  }
}

/** kube-controller-manager as a supervised process beside the cluster (stopped before the apiserver). */
async function startControllerManager(config: ClusterConfig, bin: string, env: NodeJS.ProcessEnv): Promise<void> {
  const { name } = config;
  const args = standaloneControllerManagerArgs({ kubeconfig: kubeconfigPath(name, env), pkiDir: pkiDir(name, env), hpa: config.hpa, k: config.compression });
  clusterSupervisor(name, env).spawn({ label: KCM_LABEL, bin, args, logFile: join(ebbflowClusterDir(name, env), 'kube-controller-manager.log') });
}

async function createControlPlane(config: ClusterConfig, bins: Record<string, string>, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, say: (m: string) => void, deferKcm: boolean, ports: ClusterPorts): Promise<KubeConfig> {
  const { name, compression: k } = config;
  const cfgFile = kwokctlConfigPath(name, env);
  const docs = kwokctlConfiguration({ pkiDir: pkiDir(name, env), hpa: config.hpa, k, stages: renderStages(config.nodePools, k), ports });
  writeFileSync(cfgFile, docs.map((d) => YAML.stringify(d)).join('---\n'));
  say(`starting control plane "${name}" (k=${k})`);
  const args = [
    'create', 'cluster', '--name', name, '--runtime', 'binary', '--config', cfgFile,
    '--kube-apiserver-binary', bins['kube-apiserver']!, '--kube-controller-manager-binary', bins['kube-controller-manager']!,
    '--kube-scheduler-binary', bins['kube-scheduler']!, '--kwok-controller-binary', bins.kwok!, '--etcd-binary', bins.etcd!,
    // Never touch the user's ~/.kube/config: we print our own kubeconfig's path instead.
    '--kubeconfig', '',
    // No `--wait`: kwokctl's polls a spawned `kubectl get --raw /healthz` every 0.5 s, starting
    // 0.5 s late (1–1.6 s measured); the poll below asks the apiserver itself every 100 ms.
    ...(deferKcm ? ['--disable', 'kube-controller-manager'] : []),
    ...(config.scheduler === 'external' ? ['--disable', 'kube-scheduler'] : []),
  ];
  if (config.apiserverPort) args.push('--kube-apiserver-port', String(config.apiserverPort));
  // Record each control-plane process as it appears, so an interrupted create can still be torn
  // down by pid + start time; kwokctl is killed outright on abort so it starts nothing more.
  const adopt = setInterval(() => adoptControlPlane(name, env), 100);
  const kwokctl = kwokctlRecords(name, env);
  let created;
  try {
    // Bounded like each wait after it: a kwokctl that hangs (a component that never binds) is killed and the start fails.
    const sub = execa(bins.kwokctl!, args, { env: kwokEnv(env), reject: false, all: true, ...(signal ? { cancelSignal: signal } : {}), killSignal: 'SIGKILL', timeout: config.readyTimeoutSeconds * 1000 });
    // Recorded in the same tick as the spawn: if this process dies now (SIGKILL), kwokctl keeps
    // starting components with nobody to stop them; the record lets a teardown find it.
    const rec = sub.pid === undefined ? undefined : kwokctl.adopt(KWOKCTL_LABEL, sub.pid);
    created = await sub;
    if (rec) kwokctl.forget(rec);
  } finally {
    clearInterval(adopt);
    adoptControlPlane(name, env);
  }
  if (signal?.aborted) throw new Interrupted(`interrupted while creating cluster "${name}"`);
  if (created.timedOut) throw new Error(`kwokctl create cluster did not finish within ${config.readyTimeoutSeconds}s (readyTimeoutSeconds):\n${lastLines(String(created.all ?? ''))}`);
  if (created.exitCode !== 0) {
    const out = String(created.all ?? '');
    if (/address already in use/i.test(out)) throw new UserError(`cluster "${name}": a port is already in use:\n${lastLines(out)}`, 'choose another --port or stop the process using it');
    throw new Error(`kwokctl create cluster failed (exit ${created.exitCode}):\n${lastLines(out)}`);
  }
  const kc = loadKubeConfig(kubeconfigPath(name, env));
  const core = kc.makeApiClient(CoreV1Api);
  // Healthy as kwokctl's wait meant it (its post-start hooks done: Service IPs can be allocated,
  // CRDs established, APIServices registered), except the RBAC bootstrap roles, the slowest hook
  // (~1 s on 2 busy cores): every client here is kwokctl's admin, in system:masters, which the
  // apiserver authorizes without them.
  const timeoutMs = config.readyTimeoutSeconds * 1000;
  await componentReady(name, env, 'kube-apiserver', 'kube-apiserver', timeoutMs, signal, async () =>
    (await rawApi(kc, 'GET', HEALTHZ, undefined, 'application/json', 2000)).status === 200 && (await core.listNamespace()).items.length > 0);
  // The nodes turn Ready through kwok-controller's node stage (no delay): its own health first, so
  // that a node wait that fails names the right process.
  const kwokHealthz = `http://${LOOPBACK}:${ports.kwokControllerPort}/healthz`;
  await componentReady(name, env, `kwok-controller (${kwokHealthz})`, 'kwok-controller', timeoutMs, signal, async () =>
    (await fetch(kwokHealthz, { signal: AbortSignal.timeout(2000) })).ok);
  refuseOpenListeners(name, env);
  return kc;
}

/** Polls `healthy` until it holds (giving up when a control-plane process exited); a timeout names `component`'s log tail. */
async function componentReady(name: string, env: NodeJS.ProcessEnv, what: string, component: string, timeoutMs: number, signal: AbortSignal | undefined, healthy: () => Promise<boolean>): Promise<void> {
  await waitUntil(what, timeoutMs, async () => {
    exitedGivesUp(name, env);
    return (await healthy()) || undefined;
  }, undefined, 100, signal).catch((e: Error) => {
    if (e instanceof Interrupted || e instanceof WaitGaveUp) throw e;
    throw new Error(`${e.message}\n--- ${component} log ---\n${logTail(name, component, env)}`);
  });
}

/**
 * For every wait of a start: gives up at once when a control-plane process kwokctl started has
 * exited (a port taken under it, a bad flag), naming it, instead of polling to the deadline. All of
 * them, not only the one a wait is on: a dead scheduler is waited on by nothing here, and would
 * otherwise show only as pods that never schedule, in whatever test comes next.
 */
function exitedGivesUp(name: string, env: NodeJS.ProcessEnv): void {
  for (const [c, pid] of Object.entries(componentPids(name, env))) {
    if (!isAlive(pid)) throw new WaitGaveUp(`${c} (pid ${pid}) of cluster "${name}" exited\n--- ${c} log ---\n${logTail(name, c, env)}`);
  }
}

/**
 * The control plane listens on loopback only (`LOOPBACK` in control-plane.ts). Checked on the
 * running processes, not just their flags: a kwokctl that ignored the option (another version
 * through EBBFLOW_BIN_KWOKCTL) would otherwise expose etcd, unauthenticated, to every network.
 */
function refuseOpenListeners(name: string, env: NodeJS.ProcessEnv): void {
  const pids = [...Object.values(componentPids(name, env)), ...controlPlaneRecords(name, env).list().map((r) => r.pid)];
  const open = listenersOf(pids).filter((l) => !isLoopback(l.address));
  if (open.length === 0) return;
  const what = open.map((l) => `${l.process} (pid ${l.pid}) on ${l.address}:${l.port}`).join(', ');
  throw new Error(`cluster "${name}": ${what} — the local control plane must listen on loopback only; check that kwokctl is the pinned version (\`ebbflow toolchain status\`)`);
}

async function registerNodes(config: ClusterConfig, kc: KubeConfig, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, say: (m: string) => void, mark: (step: string) => void, waitServiceAccount: boolean): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = allNodes(config.nodePools);
  say(`registering ${nodes.length} nodes`);
  await createNodes(core, nodes);
  mark('nodesCreated');
  await waitUntil('all nodes Ready', config.readyTimeoutSeconds * 1000, async () => {
    exitedGivesUp(config.name, env);
    const list = await core.listNode();
    const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    return ready >= nodes.length ? ready : undefined;
  }, undefined, 200, signal);
  mark('nodesReady');
  if (!waitServiceAccount) {
    mark('ready');
    return;
  }
  await waitUntil('the default ServiceAccount', config.readyTimeoutSeconds * 1000, async () => {
    // kube-controller-manager's serviceaccount controller makes it.
    exitedGivesUp(config.name, env);
    const sas = await core.listNamespacedServiceAccount({ namespace: 'default' });
    return sas.items.some((s) => s.metadata?.name === 'default') ? true : undefined;
  }, undefined, 200, signal);
  mark('ready');
}

function logTail(name: string, component: string, env: NodeJS.ProcessEnv): string {
  try {
    return lastLines(readFileSync(join(kwokClusterDir(name, env), 'logs', `${component}.log`), 'utf8'), 15);
  } catch {
    return '(no log)';
  }
}

function lastLines(s: string, n = 25): string {
  return s.trim().split('\n').slice(-n).join('\n');
}

async function createNodes(core: CoreV1Api, nodes: V1Node[]): Promise<void> {
  const queue = [...nodes];
  const worker = async () => {
    for (let n = queue.shift(); n; n = queue.shift()) await core.createNode({ body: n });
  };
  await Promise.all(Array.from({ length: Math.min(16, nodes.length) }, worker));
}

function handle(name: string, config: ClusterConfig, kubeconfig: string, kc: KubeConfig, kubectlBin: string, timings: Record<string, number>, env: NodeJS.ProcessEnv): LocalCluster {
  const p = config.nodePools;
  return {
    name,
    config,
    kubeconfig,
    kubeConfig: kc,
    server: kc.getCurrentCluster()?.server ?? '',
    pkiDir: pkiDir(name, env),
    virtualNode: p.eci.enabled ? virtualNodeName(p.eci) : undefined,
    ecsNodes: allNodes({ ...p, eci: { ...p.eci, enabled: false } }).map((n) => n.metadata!.name!),
    timings,
    async kubectl(args, o) {
      const r = await execa(kubectlBin, ['--kubeconfig', kubeconfig, ...args], { input: o?.input, reject: false, all: true });
      if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${String(r.all)}`);
      return String(r.stdout);
    },
    setEciFailures: (rules) => setEciFailures(kc, rules),
    stop: async () => {
      await stopCluster(name, env);
    },
  };
}

/** Handle on a cluster that is already running (for `--cluster NAME` reuse). */
export async function attachCluster(name: string, env: NodeJS.ProcessEnv = process.env): Promise<LocalCluster> {
  const rec = readRecord(name, env);
  const st = await clusterStatus(name, env);
  if (!rec || !st.components.some((c) => c.name === 'kube-apiserver' && c.state === 'running')) {
    throw new UserError(`cluster "${name}" is not running`, `start it with \`ebbflow cluster up --cluster-name ${name}\``);
  }
  const config = parseClusterConfig(rec.config as ClusterConfigInput);
  const bins = await ensureBinaries(['kubectl']);
  return handle(name, config, st.kubeconfig, loadKubeConfig(st.kubeconfig), bins.kubectl!, {}, env);
}

export interface ClusterStatus {
  name: string;
  kubeconfig: string;
  exists: boolean;
  compression?: number;
  components: { name: string; pid?: number; state: 'running' | 'stopped'; ports?: number[] }[];
}

function componentPorts(name: string, env: NodeJS.ProcessEnv): Record<string, number[]> {
  const f = join(kwokClusterDir(name, env), 'kwok.yaml');
  const out: Record<string, number[]> = {};
  if (!existsSync(f)) return out;
  for (const doc of YAML.parseAllDocuments(readFileSync(f, 'utf8'))) {
    const o = doc.toJS() as { kind?: string; components?: { name: string; ports?: { port: number }[] }[] } | null;
    if (o?.kind !== 'KwokctlConfiguration') continue;
    for (const c of o.components ?? []) out[c.name] = (c.ports ?? []).map((p) => p.port);
  }
  return out;
}

export async function clusterStatus(name: string, env: NodeJS.ProcessEnv = process.env): Promise<ClusterStatus> {
  validateClusterName(name);
  const ports = componentPorts(name, env);
  const adopted = new Map(controlPlaneRecords(name, env).list().map((r) => [r.label, r]));
  const components: ClusterStatus['components'] = Object.entries(componentPids(name, env)).map(([c, pid]) => {
    const rec = adopted.get(c);
    // Running means: the process we recorded for it, or (before it was recorded) any process with that pid.
    const running = rec && rec.pid === pid ? isRecordedProcess(rec) : isAlive(pid);
    return { name: c, pid, state: running ? 'running' : 'stopped', ports: ports[c] };
  });
  for (const r of clusterSupervisor(name, env).list()) components.push({ name: r.label, pid: r.pid, state: isRecordedProcess(r) ? 'running' : 'stopped' });
  const record = readRecord(name, env);
  return { name, kubeconfig: kubeconfigPath(name, env), exists: existsSync(kwokClusterDir(name, env)) || record !== undefined, compression: record?.compression, components };
}

export interface TeardownReport {
  /** What was running and is stopped now, as `label (pid N)`. */
  stopped: string[];
}

const stopping = new Map<string, Promise<TeardownReport>>();

/**
 * Stops every process of the cluster and removes its state. Works from any process, also when the
 * one that started the cluster crashed: it finds everything through the records, and a `kwokctl
 * create` cut short by its parent's death through its own record. Concurrent calls in one process
 * (an abort and a failing start) share one teardown.
 */
export function stopCluster(name: string, env: NodeJS.ProcessEnv = process.env): Promise<TeardownReport> {
  validateClusterName(name);
  const key = `${kwokWorkdir(env)}:${name}`;
  let p = stopping.get(key);
  if (!p) {
    p = teardown(name, env).finally(() => stopping.delete(key));
    stopping.set(key, p);
  }
  return p;
}

/** Records of processes seen running during a teardown, to say at the end which ones it stopped. */
class Seen {
  private readonly recs = new Map<string, ProcessRecord>();
  note(rs: (ProcessRecord | undefined)[]): void {
    for (const r of rs) if (r && isRecordedProcess(r)) this.recs.set(`${r.pid}:${r.startTime}`, r);
  }
  stopped(): string[] {
    return [...this.recs.values()].filter((r) => !isRecordedProcess(r)).map((r) => `${r.label} (pid ${r.pid})`);
  }
}

/**
 * A `kwokctl create` still running (its starter died, or is tearing down): frozen first so it forks
 * nothing more, its descendants recorded as control-plane processes, then killed — a create cut
 * short has nothing to save, and a frozen process would not act on TERM anyway. Also found by its
 * command line, for a starter killed between the spawn and the record.
 */
async function stopKwokctl(name: string, env: NodeJS.ProcessEnv, seen: Seen): Promise<string[]> {
  const recs = kwokctlRecords(name, env);
  const cp = controlPlaneRecords(name, env);
  const found = [...recs.list(), ...findClusterProcesses(env, name).filter((p) => p.label === KWOKCTL_LABEL).map((p) => p.record)];
  const stuck: string[] = [];
  for (const k of found.filter((r, i) => found.findIndex((o) => o.pid === r.pid) === i && isRecordedProcess(r))) {
    seen.note([k]);
    signalRecorded(k, 'SIGSTOP');
    seen.note(descendantsOf(k, processTable()).map((d) => cp.adopt(`kwokctl-child-${d.pid}`, d.pid)));
    if ((await killRecorded(k)) === 'stuck') stuck.push(`kwokctl (pid ${k.pid})`);
  }
  for (const r of recs.list()) if (!isRecordedProcess(r)) recs.forget(r);
  return stuck;
}

/**
 * Components of this cluster found by what they run (`findClusterProcesses`) that no record names:
 * started after their starter died, or whose pid file was never read. Recorded, so the teardown's
 * TERM/KILL of control-plane processes reaches them.
 */
function adoptStrays(name: string, env: NodeJS.ProcessEnv, seen: Seen): void {
  const cp = controlPlaneRecords(name, env);
  for (const p of findClusterProcesses(env, name)) {
    if (p.label === KWOKCTL_LABEL) continue;
    const known = cp.list().some((r) => r.pid === p.record.pid && r.startTime === p.record.startTime);
    if (!known) seen.note([cp.adopt(cp.read(p.label) ? `${p.label}-${p.record.pid}` : p.label, p.record.pid)]);
  }
}

/**
 * Only processes proven ours are signalled: the ones the supervisor started, kwokctl and what it
 * forked (recorded by pid + start time), and components that run from this cluster's own `bin/`.
 */
async function teardown(name: string, env: NodeJS.ProcessEnv): Promise<TeardownReport> {
  const sup = clusterSupervisor(name, env);
  const cp = controlPlaneRecords(name, env);
  const seen = new Seen();
  seen.note([...sup.list(), ...cp.list()]);
  // The agent first, so it does not race us with its own teardown.
  // Also an agent whose record is gone: one finishing its own teardown (its owner died) races us otherwise.
  const agents = [sup.read(AGENT_LABEL), ...findAgentProcesses(env, name).map((p) => p.record)].filter((r): r is ProcessRecord => r !== undefined);
  for (const agent of agents.filter((r, i) => agents.findIndex((o) => o.pid === r.pid) === i)) {
    seen.note([agent]);
    await stopRecorded(agent, 3000);
  }
  const stuck = await stopKwokctl(name, env, seen);
  adoptStrays(name, env, seen);
  // Processes started beside the cluster (Prometheus, adapter, ...) go before the apiserver they use.
  stuck.push(...(await sup.stopAll({ graceMs: 3000 })));
  if (existsSync(kwokClusterDir(name, env))) {
    const bins = await ensureBinaries(['kwokctl']).catch(() => undefined);
    if (bins) await execa(bins.kwokctl!, ['delete', 'cluster', '--name', name], { env: kwokEnv(env), reject: false });
  }
  // kwokctl signals its processes; any recorded one still alive after that is stopped outright.
  stuck.push(...(await cp.stopAll({ graceMs: 2000 })));
  adoptStrays(name, env, seen);
  stuck.push(...(await cp.stopAll({ graceMs: 2000 })));
  if (stuck.length) throw new Error(`cluster "${name}": processes ${stuck.join(', ')} did not exit`);
  removeClusterDirs(name, env);
  return { stopped: seen.stopped() };
}
