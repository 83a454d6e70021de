import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Runtime state of local clusters (not a cache: deleting it while a cluster runs loses track of
 * processes). KWOK keeps its own per-cluster directory under `kwok/`; ebbflow's additions (our
 * config, the agent's pid, the owner) live under `ebbflow/<name>/` so `kwokctl delete` cannot
 * remove them before we have read them.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EBBFLOW_STATE_DIR) return env.EBBFLOW_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'ebbflow');
}

export const kwokWorkdir = (env?: NodeJS.ProcessEnv) => join(stateDir(env), 'kwok');
export const kwokClusterDir = (name: string, env?: NodeJS.ProcessEnv) => join(kwokWorkdir(env), 'clusters', name);
export const ebbflowClusterDir = (name: string, env?: NodeJS.ProcessEnv) => join(stateDir(env), 'clusters', name);
export const kubeconfigPath = (name: string, env?: NodeJS.ProcessEnv) => join(kwokClusterDir(name, env), 'kubeconfig.yaml');
export const pkiDir = (name: string, env?: NodeJS.ProcessEnv) => join(kwokClusterDir(name, env), 'pki');

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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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

export function listClusterNames(env?: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  for (const d of [join(kwokWorkdir(env), 'clusters'), join(stateDir(env), 'clusters')]) {
    if (existsSync(d)) for (const n of readdirSync(d)) names.add(n);
  }
  return [...names].sort();
}

export const agentPidFile = (name: string, env?: NodeJS.ProcessEnv) => join(ebbflowClusterDir(name, env), 'agent.pid');
export const ownerFile = (name: string, env?: NodeJS.ProcessEnv) => join(ebbflowClusterDir(name, env), 'owner');
export const agentLogFile = (name: string, env?: NodeJS.ProcessEnv) => join(ebbflowClusterDir(name, env), 'agent.log');

/** The pid whose death tears the cluster down, or undefined when the cluster outlives its creator. */
export function readOwner(name: string, env?: NodeJS.ProcessEnv): number | undefined {
  return readPid(ownerFile(name, env));
}

export function writeOwner(name: string, pid: number | undefined, env?: NodeJS.ProcessEnv): void {
  mkdirSync(ebbflowClusterDir(name, env), { recursive: true });
  writeFileSync(ownerFile(name, env), pid ? String(pid) : 'none');
}

/**
 * Processes started beside a cluster for a replay (Prometheus, prometheus-adapter, exporter, ...).
 * Registering them here lets `stopCluster` — and the agent after an owner crash — stop them too.
 */
export const extraPidsDir = (name: string, env?: NodeJS.ProcessEnv) => join(ebbflowClusterDir(name, env), 'procs');

export function registerClusterProcess(name: string, label: string, pid: number, env?: NodeJS.ProcessEnv): void {
  mkdirSync(extraPidsDir(name, env), { recursive: true });
  writeFileSync(join(extraPidsDir(name, env), `${label}.pid`), String(pid));
}

export function extraPids(name: string, env?: NodeJS.ProcessEnv): Record<string, number> {
  const dir = extraPidsDir(name, env);
  const out: Record<string, number> = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const pid = f.endsWith('.pid') ? readPid(join(dir, f)) : undefined;
    if (pid) out[f.slice(0, -4)] = pid;
  }
  return out;
}
