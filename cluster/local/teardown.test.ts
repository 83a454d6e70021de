import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopCluster } from './lifecycle.ts';
import { AGENT_LABEL, clusterOfCommand, ebbflowClusterDir, findAgentProcesses, findClusterProcesses, kwokClusterDir, kwokctlConfigPath, kwokctlRecords, KWOKCTL_LABEL, listLocalClusters, localClusterState } from './state.ts';
import { descendantsOf, parseStat, processStartTime, processTable, type ProcessEntry } from './supervisor.ts';
import { waitUntil } from '../../core/wait.ts';

const pids: number[] = [];
afterEach(() => {
  for (const p of pids.splice(0)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

// The teardown runs `kwokctl delete` when kwokctl's directory exists; a stand-in that does nothing
// keeps this test from needing (or building) the toolchain.
const savedKwokctl = process.env.EBBFLOW_BIN_KWOKCTL;
beforeAll(() => {
  process.env.EBBFLOW_BIN_KWOKCTL = '/bin/true';
});
afterAll(() => {
  if (savedKwokctl === undefined) delete process.env.EBBFLOW_BIN_KWOKCTL;
  else process.env.EBBFLOW_BIN_KWOKCTL = savedKwokctl;
});

/** A detached process (own session, as kwokctl starts components), not this process's child for long. */
function detached(bin: string, args: string[]): number {
  const c = spawn(bin, args, { stdio: 'ignore', detached: true });
  c.unref();
  pids.push(c.pid!);
  return c.pid!;
}

const alive = (pid: number) => processStartTime(pid) !== undefined;

function stateEnv(): NodeJS.ProcessEnv {
  return { ...process.env, EBBFLOW_STATE_DIR: mkdtempSync(join(tmpdir(), 'ebf-teardown-')) };
}

/** A component binary as kwokctl lays them out: a link in the cluster's own bin/ directory. */
function componentBin(name: string, component: string, env: NodeJS.ProcessEnv): string {
  const bin = join(kwokClusterDir(name, env), 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync('/bin/sleep', join(bin, component));
  return join(bin, component);
}

describe('processes found by what they run', () => {
  it('parses the parent pid from /proc/<pid>/stat and walks descendants, never older than their parent', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    expect(parseStat(`9 (a) b) ${fields.join(' ')}`)).toEqual({ ppid: 4, startTime: 22 });
    const table: ProcessEntry[] = [
      { pid: 10, ppid: 1, startTime: 100 },
      { pid: 11, ppid: 10, startTime: 101 },
      { pid: 12, ppid: 11, startTime: 105 },
      { pid: 13, ppid: 10, startTime: 50 }, // older than pid 10: a reused parent pid, not a child
      { pid: 14, ppid: 2, startTime: 120 },
    ];
    expect(descendantsOf({ pid: 10, startTime: 100 }, table).map((p) => p.pid)).toEqual([11, 12]);
    expect(processTable().some((p) => p.pid === process.pid && p.ppid === process.ppid)).toBe(true);
  });

  it('a command line belongs to a cluster when it runs from the cluster\'s bin/ or is our kwokctl create', () => {
    const env = { EBBFLOW_STATE_DIR: '/s' };
    expect(clusterOfCommand(['/s/kwok/clusters/c1/bin/etcd', '--data-dir=/s/kwok/clusters/c1/etcd'], env)).toEqual({ cluster: 'c1', label: 'etcd' });
    expect(clusterOfCommand(['/opt/kwokctl', 'create', 'cluster', '--name', 'c1', '--config', '/s/clusters/c1/kwokctl.yaml'], env)).toEqual({ cluster: 'c1', label: KWOKCTL_LABEL });
    for (const argv of [
      ['tail', '-f', '/s/kwok/clusters/c1/logs/etcd.log'],
      ['/s/kwok/clusters/c1/bin/sub/etcd'],
      ['/s/kwok/clusters/Bad_Name/bin/etcd'],
      ['/opt/kwokctl', 'delete', 'cluster', '--name', 'c1'],
      ['/opt/kwokctl', 'create', 'cluster', '--config', '/elsewhere/clusters/c1/kwokctl.yaml'],
      ['/t/kwok/clusters/c1/bin/etcd'],
    ]) {
      expect(clusterOfCommand(argv, env), argv.join(' ')).toBeUndefined();
    }
  });
});

describe('teardown of a cluster whose starter died during `kwokctl create`', () => {
  it('freezes and kills the recorded kwokctl, stops what it forked and components that run from the cluster, and says so', async () => {
    const env = stateEnv();
    const name = 'orphans';
    // kwokctl as it is left when its starter is SIGKILLed: still running, forking components.
    const fake = join(env.EBBFLOW_STATE_DIR!, 'kwokctl');
    writeFileSync(fake, '#!/bin/sh\nsleep 300 &\nsleep 300 &\nwait\n');
    chmodSync(fake, 0o755);
    mkdirSync(ebbflowClusterDir(name, env), { recursive: true });
    writeFileSync(kwokctlConfigPath(name, env), '');
    const kwokctl = detached(fake, ['create', 'cluster', '--name', name, '--config', kwokctlConfigPath(name, env)]);
    kwokctlRecords(name, env).adopt(KWOKCTL_LABEL, kwokctl);
    const forked = await waitUntil('the stand-in kwokctl to fork', 5000, async () => {
      const d = descendantsOf({ pid: kwokctl, startTime: processStartTime(kwokctl)! }, processTable());
      return d.length === 2 ? d.map((p) => p.pid) : undefined;
    });
    pids.push(...forked);
    // A component kwokctl started earlier and lost track of (its parent is init now), with no record.
    const etcd = detached(componentBin(name, 'etcd', env), ['300']);
    await waitUntil('etcd stand-in to run', 5000, async () => (findClusterProcesses(env, name).length === 1 ? true : undefined));
    expect(localClusterState(name, env)).toBe('cluster');

    const report = await stopCluster(name, env);

    for (const p of [kwokctl, ...forked, etcd]) expect(alive(p), `pid ${p}`).toBe(false);
    expect(report.stopped).toEqual(expect.arrayContaining([`kwokctl (pid ${kwokctl})`, `etcd (pid ${etcd})`, ...forked.map((p) => `kwokctl-child-${p} (pid ${p})`)]));
    expect(existsSync(ebbflowClusterDir(name, env))).toBe(false);
    expect(localClusterState(name, env)).toBe('none');
  });

  it('--all finds a cluster whose state is gone by its running components', async () => {
    const env = stateEnv();
    const bin = componentBin('gone', 'kube-apiserver', env);
    const apiserver = detached(bin, ['300']);
    await waitUntil('the stand-in apiserver to run', 5000, async () => (findClusterProcesses(env).length === 1 ? true : undefined));
    rmSync(join(env.EBBFLOW_STATE_DIR!, 'kwok'), { recursive: true, force: true });
    expect(listLocalClusters(env)).toEqual(['gone']);
    const report = await stopCluster('gone', env);
    expect(report.stopped).toEqual([`kube-apiserver (pid ${apiserver})`]);
    expect(alive(apiserver)).toBe(false);
    expect(listLocalClusters(env)).toEqual([]);
  });

  it('an agent finishing its own teardown (its record already removed) is found by what it runs and stopped, and only that state directory\'s', async () => {
    const env = stateEnv();
    const other = stateEnv();
    // Stand-ins with the agent's command line: node running an ebbflow.js that ignores SIGTERM, as
    // an agent busy tearing down does until its grace runs out.
    const script = join(env.EBBFLOW_STATE_DIR!, 'ebbflow.js');
    writeFileSync(script, "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);\n");
    const agentOf = (e: NodeJS.ProcessEnv) => {
      const c = spawn(process.execPath, [script, 'cluster', 'agent', '--name', 'late'], { stdio: 'ignore', detached: true, env: e });
      c.unref();
      pids.push(c.pid!);
      return c.pid!;
    };
    const ours = agentOf(env);
    const theirs = agentOf(other);
    await waitUntil('the stand-in agents to run', 5000, async () => (findAgentProcesses(env).length === 1 && findAgentProcesses(other).length === 1 ? true : undefined));
    expect(findAgentProcesses(env, 'late').map((p) => [p.record.pid, p.label])).toEqual([[ours, AGENT_LABEL]]);
    expect(findAgentProcesses(env, 'other')).toEqual([]);
    expect(listLocalClusters(env)).toEqual(['late']);
    expect(localClusterState('late', env)).toBe('cluster');

    const report = await stopCluster('late', env);
    expect(report.stopped).toEqual([`${AGENT_LABEL} (pid ${ours})`]);
    expect(alive(ours)).toBe(false);
    expect(alive(theirs)).toBe(true);
    expect(listLocalClusters(env)).toEqual([]);
  }, 15_000);
});
