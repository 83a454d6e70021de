import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type LocalCluster } from './index.ts';
import { isLoopback, listenersOf } from './listeners.ts';
import { clusterSupervisor, componentPids } from './state.ts';
import { descendantsOf, processStartTime, processTable } from './supervisor.ts';
import { sleep, waitUntil } from '../../core/wait.ts';

/**
 * Every process that belongs to a state directory, found without ebbflow's records: its command
 * line or its environment names the directory (kwokctl, the components it links there, the agent,
 * which gets EBBFLOW_STATE_DIR), and everything those processes started.
 */
function processesOf(state: string): { pid: number; argv: string }[] {
  const table = processTable();
  const mentions = (pid: number) => ['cmdline', 'environ'].some((f) => {
    try {
      return readFileSync(`/proc/${pid}/${f}`, 'utf8').includes(state);
    } catch {
      return false;
    }
  });
  const roots = table.filter((p) => p.pid !== process.pid && mentions(p.pid));
  const all = new Map(roots.map((p) => [p.pid, p]));
  for (const r of roots) for (const d of descendantsOf(r, table)) all.set(d.pid, d);
  const argv = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      return '';
    }
  };
  return [...all.keys()].filter((p) => processStartTime(p) !== undefined).map((pid) => ({ pid, argv: argv(pid) }));
}

function ebbflow(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['bin/ebbflow.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((r) => child.on('exit', (code, signal) => r({ code, signal, out, err })));
  return { child, exited, stderr: () => err };
}

describe('a local control plane only the user can reach', () => {
  const state = mkdtempSync(join(tmpdir(), 'ebf-confine-'));
  const env = { ...process.env, EBBFLOW_STATE_DIR: state };
  let c: LocalCluster | undefined;
  afterAll(async () => {
    await c?.stop();
    // Whatever a failed test left (a frozen kwokctl would stay forever).
    for (const p of processesOf(state)) process.kill(p.pid, 'SIGKILL');
    rmSync(state, { recursive: true, force: true });
  });

  it('every process of the cluster listens on loopback only (etcd, apiserver, kcm, scheduler, kwok-controller, agent)', async () => {
    c = await startCluster({ name: 'e2e-loopback', nodePools: { ecs: [{ name: 'ecs', count: 1 }] } }, { env });
    // Each component's listener, once it has opened it (kwok-controller may bind after the apiserver is healthy).
    const expected = ['etcd', 'kube-apiserver', 'kube-controller', 'kube-scheduler', 'kwok-controller'];
    const listeners = await waitUntil('every component listening', 30_000, async () => {
      const l = listenersOf(processesOf(state).map((p) => p.pid));
      return expected.every((e) => l.some((x) => x.process === e)) ? l : undefined;
    }, undefined, 200);
    const components = Object.values(componentPids('e2e-loopback', env));
    expect(listeners.filter((l) => components.includes(l.pid)).length).toBeGreaterThanOrEqual(6); // etcd has two
    expect(listeners.filter((l) => !isLoopback(l.address))).toEqual([]);
    // Both etcd listeners (client and peer) are there, on loopback.
    expect(listeners.filter((l) => l.process === 'etcd').map((l) => l.address)).toEqual(['127.0.0.1', '127.0.0.1']);
    await c.stop();
    c = undefined;
    expect(processesOf(state)).toEqual([]);
  });

  /** `cluster up` killed with SIGKILL once kwokctl has started some components but is not done. */
  async function killedDuringCreate(name: string): Promise<void> {
    const up = ebbflow(['cluster', 'up', '--name', name], env);
    await waitUntil('kwokctl to start a component', 60_000, async () => (Object.values(componentPids(name, env)).some((p) => processStartTime(p) !== undefined) ? true : undefined), () => up.stderr(), 20);
    up.child.kill('SIGKILL');
    expect((await up.exited).signal).toBe('SIGKILL');
  }

  it('`cluster up` and its agent SIGKILLed during `kwokctl create`: `cluster down --all` stops kwokctl and all it started, and says so', async () => {
    await killedDuringCreate('e2e-orphan');
    // The agent would tear the cluster down by itself; killed too, `cluster down` alone must.
    const agent = clusterSupervisor('e2e-orphan', env).read('ebbflow-agent')!;
    process.kill(agent.pid, 'SIGKILL');
    // kwokctl held mid-create, as on a loaded machine, so it cannot finish before `cluster down` runs.
    const kwokctl = processesOf(state).find((p) => /kwokctl create cluster --name e2e-orphan /.test(p.argv));
    expect(kwokctl, JSON.stringify(processesOf(state))).toBeDefined();
    process.kill(kwokctl!.pid, 'SIGSTOP');
    const down = await ebbflow(['cluster', 'down', '--all'], env).exited;
    expect(down.code, down.err).toBe(0);
    expect(down.out).toMatch(new RegExp(`cluster "e2e-orphan" is down; stopped .*kwokctl \\(pid ${kwokctl!.pid}\\)`));
    expect(processesOf(state)).toEqual([]);
  });

  it('`cluster up` alone SIGKILLed during create: its agent and `cluster down --all` leave nothing running', async () => {
    await killedDuringCreate('e2e-orphan2');
    const down = await ebbflow(['cluster', 'down', '--all'], env).exited;
    expect(down.code, down.err).toBe(0);
    expect(processesOf(state)).toEqual([]);
    // Nothing comes back: a kwokctl left running would go on starting components.
    await sleep(3000);
    expect(processesOf(state)).toEqual([]);
  });
});
