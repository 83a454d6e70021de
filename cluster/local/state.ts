import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { commandLine, isRecordedProcess, processStartTime, processTable, Supervisor, type ProcessRecord } from './supervisor.ts';

/**
 * Runtime state of local clusters (not a cache: deleting it while a cluster runs loses track of
 * processes). KWOK keeps its own per-cluster directory under `kwok/`; ebbflow's additions (our
 * config, the records of the processes we started, the owner) live under `clusters/<name>/` so
 * `kwokctl delete` cannot remove them before we have read them.
 *
 * A cluster name becomes a path, so every path helper validates it as a DNS label and checks that
 * the path resolves inside its root before anything is read, signalled or removed.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EBBFLOW_STATE_DIR) return resolve(env.EBBFLOW_STATE_DIR);
  return resolve(join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'ebbflow'));
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isClusterName(name: string): boolean {
  return DNS_LABEL.test(name);
}

/** Throws a UserError (exit 2) unless `name` is a DNS label: lowercase, ≤ 63 chars, [a-z0-9-], alphanumeric ends. */
export function validateClusterName(name: string, where = 'cluster name'): string {
  if (typeof name !== 'string' || !DNS_LABEL.test(name)) {
    const why = typeof name !== 'string' ? 'missing' : name.length > 63 ? `${name.length} characters (at most 63)` : 'not a DNS label';
    throw new UserError(`${where} "${String(name)}" is invalid: ${why}`, 'use lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. --cluster-name ebbflow-dev');
  }
  return name;
}

/** True when `path` resolves strictly inside `root` (symbolic links of existing parts followed). */
export function insideRoot(root: string, path: string): boolean {
  const real = (p: string): string => {
    // The deepest existing ancestor decides where a not-yet-created path really lands.
    let cur = resolve(p);
    const rest: string[] = [];
    while (!existsSync(cur) && dirname(cur) !== cur) {
      rest.unshift(cur.slice(dirname(cur).length).replace(/^[/\\]/, ''));
      cur = dirname(cur);
    }
    return join(realpathSync(cur), ...rest);
  };
  const r = real(root);
  const p = real(path);
  return p !== r && p.startsWith(r.endsWith(sep) ? r : r + sep);
}

function under(root: string, ...parts: string[]): string {
  const p = join(root, ...parts);
  if (!insideRoot(root, p)) throw new UserError(`refusing to use ${p}: it is not inside ${root}`, 'check EBBFLOW_STATE_DIR and the cluster name');
  return p;
}

export const kwokWorkdir = (env?: NodeJS.ProcessEnv) => join(stateDir(env), 'kwok');
const kwokClustersRoot = (env?: NodeJS.ProcessEnv) => join(kwokWorkdir(env), 'clusters');
const ebbflowClustersRoot = (env?: NodeJS.ProcessEnv) => join(stateDir(env), 'clusters');
export const kwokClusterDir = (name: string, env?: NodeJS.ProcessEnv) => under(kwokClustersRoot(env), validateClusterName(name));
export const ebbflowClusterDir = (name: string, env?: NodeJS.ProcessEnv) => under(ebbflowClustersRoot(env), validateClusterName(name));
export const kubeconfigPath = (name: string, env?: NodeJS.ProcessEnv) => join(kwokClusterDir(name, env), 'kubeconfig.yaml');
export const pkiDir = (name: string, env?: NodeJS.ProcessEnv) => join(kwokClusterDir(name, env), 'pki');
export const agentLogFile = (name: string, env?: NodeJS.ProcessEnv) => join(ebbflowClusterDir(name, env), 'agent.log');

/** Removes a cluster's state directory, only after proving it lies inside its root. */
export function removeClusterDirs(name: string, env?: NodeJS.ProcessEnv): void {
  for (const [root, dir] of [[kwokClustersRoot(env), kwokClusterDir(name, env)], [ebbflowClustersRoot(env), ebbflowClusterDir(name, env)]] as const) {
    if (!insideRoot(root, dir)) throw new UserError(`refusing to remove ${dir}: it is not inside ${root}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ClusterRecord {
  name: string;
  createdAt: string;
  compression: number;
  /** The validated config the cluster was started with (node pools, HPA flags). */
  config: unknown;
}

export function writeRecord(r: ClusterRecord, env?: NodeJS.ProcessEnv): void {
  const d = ebbflowClusterDir(r.name, env);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'cluster.json'), JSON.stringify(r, null, 2) + '\n');
}

export function readRecord(name: string, env?: NodeJS.ProcessEnv): ClusterRecord | undefined {
  const f = join(ebbflowClusterDir(name, env), 'cluster.json');
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, 'utf8')) as ClusterRecord;
}

export function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Whether any process has this pid (for display; never a reason to signal it). */
export function isAlive(pid: number): boolean {
  return processStartTime(pid) !== undefined;
}

/** kwokctl writes one `<component>.pid` per process it starts. */
export function componentPids(name: string, env?: NodeJS.ProcessEnv): Record<string, number> {
  const dir = join(kwokClusterDir(name, env), 'pids');
  const out: Record<string, number> = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.pid')) continue;
    const pid = readPid(join(dir, f));
    if (pid) out[f.slice(0, -4)] = pid;
  }
  return out;
}

/** Clusters with state on disk; entries that are not cluster names are left out (and untouched). */
export function listClusterNames(env?: NodeJS.ProcessEnv): string[] {
  return listStateEntries(env).filter(isClusterName);
}

/** Every entry of the state's cluster directories, valid name or not (so a CLI can say what it skipped). */
export function listStateEntries(env?: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  for (const d of [kwokClustersRoot(env), ebbflowClustersRoot(env)]) {
    if (existsSync(d)) for (const n of readdirSync(d)) names.add(n);
  }
  return [...names].sort();
}

export const AGENT_LABEL = 'ebbflow-agent';

/** Processes ebbflow started for a cluster (agent, Prometheus, prometheus-adapter), pid + start time. */
export const clusterSupervisor = (name: string, env?: NodeJS.ProcessEnv) => new Supervisor(join(ebbflowClusterDir(name, env), 'procs'));

/** kwokctl's control-plane processes, recorded (pid + start time) as we watched them appear. */
export const controlPlaneRecords = (name: string, env?: NodeJS.ProcessEnv) => new Supervisor(join(ebbflowClusterDir(name, env), 'control-plane'));

/** Records each kwokctl pid file's process that runs now, so a later teardown can prove them ours. */
export function adoptControlPlane(name: string, env?: NodeJS.ProcessEnv): void {
  const rec = controlPlaneRecords(name, env);
  for (const [label, pid] of Object.entries(componentPids(name, env))) rec.adopt(label, pid);
}

export const KWOKCTL_LABEL = 'kwokctl';

/**
 * `kwokctl create` itself, recorded (pid + start time) the moment it is spawned: if whoever started
 * it dies, a teardown finds it, freezes it and stops everything it forked.
 */
export const kwokctlRecords = (name: string, env?: NodeJS.ProcessEnv) => new Supervisor(join(ebbflowClusterDir(name, env), 'kwokctl'));

/** The kwokctl configuration ebbflow writes for a cluster (also how its kwokctl is recognised). */
export const kwokctlConfigPath = (name: string, env?: NodeJS.ProcessEnv) => join(ebbflowClusterDir(name, env), 'kwokctl.yaml');

export interface ClusterProcess {
  cluster: string;
  /** The component's binary name (`etcd`, `kube-apiserver`, ...) or `kwokctl`. */
  label: string;
}

/**
 * Which cluster a command line belongs to, by what it runs: kwokctl starts every component from
 * the links it makes in `<kwok workdir>/clusters/<name>/bin/`, and our `kwokctl create` reads
 * `<state>/clusters/<name>/kwokctl.yaml`. Nothing else is matched: a `tail -f` of a cluster's log
 * names a file there but does not run from there.
 */
export function clusterOfCommand(argv: string[], env?: NodeJS.ProcessEnv): ClusterProcess | undefined {
  const [bin, ...args] = argv;
  if (!bin) return undefined;
  const components = join(kwokClustersRoot(env), sep);
  if (bin.startsWith(components)) {
    const [name, dir, file, ...more] = bin.slice(components.length).split(sep);
    if (name && isClusterName(name) && dir === 'bin' && file && more.length === 0) return { cluster: name, label: file };
  }
  if (basename(bin) === 'kwokctl' && args[0] === 'create') {
    const configs = join(ebbflowClustersRoot(env), sep);
    for (const a of args) {
      const [name, file, ...more] = a.startsWith(configs) ? a.slice(configs.length).split(sep) : [];
      if (name && isClusterName(name) && file === 'kwokctl.yaml' && more.length === 0) return { cluster: name, label: KWOKCTL_LABEL };
    }
  }
  return undefined;
}

/** Live processes that belong to local clusters by what they run (`clusterOfCommand`), optionally of one cluster. */
export function findClusterProcesses(env?: NodeJS.ProcessEnv, name?: string): (ClusterProcess & { record: ProcessRecord })[] {
  const out: (ClusterProcess & { record: ProcessRecord })[] = [];
  for (const p of processTable()) {
    if (p.pid === process.pid) continue;
    const argv = commandLine(p.pid);
    const c = argv && clusterOfCommand(argv, env);
    if (c && (name === undefined || c.cluster === name)) out.push({ ...c, record: { label: c.label, pid: p.pid, startTime: p.startTime } });
  }
  return out;
}

/**
 * Cluster agents of this state directory, found by what they run (`ebbflow.js cluster agent --name N`)
 * and the state directory their environment names. Their record is removed with the cluster's
 * directory, so an agent still finishing a teardown of its own is only found this way, and a
 * `cluster down` that returned while one ran would leave a process behind.
 */
export function findAgentProcesses(env?: NodeJS.ProcessEnv, name?: string): (ClusterProcess & { record: ProcessRecord })[] {
  const root = stateDir(env);
  const out: (ClusterProcess & { record: ProcessRecord })[] = [];
  for (const p of processTable()) {
    if (p.pid === process.pid) continue;
    const argv = commandLine(p.pid);
    if (!argv || basename(argv[1] ?? '') !== 'ebbflow.js' || argv[2] !== 'cluster' || argv[3] !== 'agent' || argv[4] !== '--name') continue;
    const cluster = argv[5];
    if (!cluster || !isClusterName(cluster) || (name !== undefined && cluster !== name)) continue;
    const dir = environOf(p.pid)?.EBBFLOW_STATE_DIR;
    if (dir !== undefined && resolve(dir) === root) out.push({ cluster, label: AGENT_LABEL, record: { label: AGENT_LABEL, pid: p.pid, startTime: p.startTime } });
  }
  return out;
}

function environOf(pid: number): Record<string, string> | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
    return Object.fromEntries(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  } catch {
    return undefined;
  }
}

/**
 * What of a local cluster named `name` is on this machine: `cluster` when ebbflow started one (its
 * record or kwokctl's directory) or a process of it runs; `records` when only our directory is
 * there (supervised processes of a kind cluster of that name, or what a crash left).
 */
export function localClusterState(name: string, env?: NodeJS.ProcessEnv): 'cluster' | 'records' | 'none' {
  validateClusterName(name);
  if (existsSync(kwokClusterDir(name, env)) || readRecord(name, env) || findClusterProcesses(env, name).length > 0 || findAgentProcesses(env, name).length > 0) return 'cluster';
  return existsSync(ebbflowClusterDir(name, env)) ? 'records' : 'none';
}

/** Clusters with state on disk or processes running from a cluster directory (whose state may be gone). */
export function listLocalClusters(env?: NodeJS.ProcessEnv): string[] {
  return [...new Set([...listClusterNames(env), ...findClusterProcesses(env).map((p) => p.cluster), ...findAgentProcesses(env).map((p) => p.cluster)])].sort();
}

/** Labels and pids of the processes started beside a cluster (not the agent). */
export function extraPids(name: string, env?: NodeJS.ProcessEnv): Record<string, number> {
  return Object.fromEntries(clusterSupervisor(name, env).list().filter((r) => r.label !== AGENT_LABEL).map((r) => [r.label, r.pid]));
}

/**
 * The process whose death tears the cluster down, as pid + start time (a pid alone could be reused
 * by an unrelated process and keep a crashed test's cluster alive), or undefined when the cluster
 * outlives its creator.
 */
export function readOwner(name: string, env?: NodeJS.ProcessEnv): ProcessRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(join(ebbflowClusterDir(name, env), 'owner.json'), 'utf8')) as Partial<ProcessRecord> | null;
    return r && Number.isInteger(r.pid) && Number.isInteger(r.startTime) ? { label: 'owner', pid: r.pid!, startTime: r.startTime! } : undefined;
  } catch {
    return undefined;
  }
}

export function writeOwner(name: string, pid: number | undefined, env?: NodeJS.ProcessEnv): void {
  mkdirSync(ebbflowClusterDir(name, env), { recursive: true });
  const startTime = pid === undefined ? undefined : processStartTime(pid);
  writeFileSync(join(ebbflowClusterDir(name, env), 'owner.json'), JSON.stringify(pid && startTime !== undefined ? { pid, startTime } : null) + '\n');
}

/** True while the owner recorded for the cluster still runs (a cluster without owner is always owned). */
export function ownerAlive(name: string, env?: NodeJS.ProcessEnv): boolean {
  const o = readOwner(name, env);
  return o === undefined || o.pid === process.pid || isRecordedProcess(o);
}
