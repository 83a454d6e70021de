import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { clusterStatus } from './index.ts';
import { isAlive } from './state.ts';
import { componentPids } from './state.ts';
import { waitUntil } from '../../core/wait.ts';

function run(args: string[]) {
  return spawn(process.execPath, ['bin/ebbflow.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function exitOf(child: ReturnType<typeof run>): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { code, out, err };
}

describe('ebbflow cluster CLI', () => {
  it('up, status -o json, down: kubeconfig path, component states, nothing left', async () => {
    const up = await exitOf(run(['cluster', 'up', '--name', 'e2e-cli', '--ecs-nodes', '2']));
    expect(up.code, up.err).toBe(0);
    expect(up.out).toMatch(/export KUBECONFIG=.*e2e-cli\/kubeconfig\.yaml/);
    const st = await exitOf(run(['cluster', 'status', '--cluster-name', 'e2e-cli', '-o', 'json']));
    expect(st.code).toBe(0);
    const json = JSON.parse(st.out) as { kubeconfig: string; components: { name: string; state: string; pid: number }[] };
    expect(json.kubeconfig).toMatch(/kubeconfig\.yaml$/);
    const names = json.components.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller', 'ebbflow-agent']));
    expect(json.components.every((c) => c.state === 'running')).toBe(true);
    const down = await exitOf(run(['cluster', 'down', '--name', 'e2e-cli']));
    expect(down.code).toBe(0);
    expect(json.components.map((c) => c.pid).filter(isAlive)).toEqual([]);
    const after = await exitOf(run(['cluster', 'status', '--name', 'e2e-cli']));
    expect(after.code).toBe(1);
    expect(after.out).toMatch(/does not exist/);
  });

  it('Ctrl-C during `cluster up` stops what was started and exits 130', async () => {
    const child = run(['cluster', 'up', '--name', 'e2e-sigint']);
    const res = exitOf(child);
    // Interrupt once the control plane is being created: some of its processes are recorded and running.
    await new Promise<void>((r) => child.stderr!.on('data', (d: Buffer) => d.toString().includes('starting control plane') && r()));
    const pidsSeen = await waitUntil('a recorded control-plane process', 60_000, async () => {
      const pids = Object.values(componentPids('e2e-sigint')).filter(isAlive);
      return pids.length > 0 ? pids : undefined;
    }, undefined, 50);
    child.kill('SIGINT');
    const { code, err } = await res;
    expect(code, err).toBe(130);
    expect(err).toMatch(/interrupted/);
    expect(pidsSeen.filter(isAlive)).toEqual([]);
    expect((await clusterStatus('e2e-sigint')).exists).toBe(false);
  });

  it('rejects bad input with exit code 2 and the field named', async () => {
    const r = await exitOf(run(['cluster', 'up', '--name', 'x', '--ecs-nodes', '-3']));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--ecs-nodes must be a number ≥ 0/);
  });
});
