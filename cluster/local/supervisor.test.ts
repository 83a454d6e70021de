import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopCluster } from './lifecycle.ts';
import { clusterSupervisor, ebbflowClusterDir, insideRoot, validateClusterName } from './state.ts';
import { isRecordedProcess, parseStatStartTime, processStartTime, stopRecorded, Supervisor } from './supervisor.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function sleeper(): ChildProcess & { exited: Promise<NodeJS.Signals | null> } {
  const c = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(c);
  const exited = new Promise<NodeJS.Signals | null>((r) => c.once('exit', (_code, sig) => r(sig)));
  return Object.assign(c, { exited });
}

/** Whether the child is still running, without waiting: its exit event has not fired. */
const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null && processStartTime(c.pid!) !== undefined;

describe('process records (pid + start time)', () => {
  it('reads field 22 of /proc/<pid>/stat, also when the command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    expect(parseStatStartTime(`123 (a) b (c) ${fields.join(' ')}`)).toBe(22);
    expect(parseStatStartTime(`123 (x) Z ${fields.slice(1).join(' ')}`)).toBeUndefined();
    expect(parseStatStartTime('garbage')).toBeUndefined();
    expect(processStartTime(process.pid)).toBeGreaterThan(0);
  });

  it('stops a process it started (TERM) and forgets it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-sup-'));
    const sup = new Supervisor(join(dir, 'procs'));
    const p = sup.spawn({ label: 'sleeper', bin: 'sleep', args: ['300'], logFile: join(dir, 'sleeper.log') });
    expect(sup.list().map((r) => r.label)).toEqual(['sleeper']);
    expect(isRecordedProcess(p)).toBe(true);
    expect(await p.stop()).toBe('stopped');
    expect(processStartTime(p.pid)).toBeUndefined();
    expect(sup.list()).toEqual([]);
    expect(await p.stop()).toBe('not-running');
  });

  it('never signals a live process whose start time differs from the record (pid reuse)', async () => {
    const s = sleeper();
    const real = processStartTime(s.pid!)!;
    expect(await stopRecorded({ label: 'other', pid: s.pid!, startTime: real - 1 }, 50)).toBe('not-running');
    expect(running(s)).toBe(true);
    // The same process with its true start time is stopped: the check above is what spared it.
    expect(await stopRecorded({ label: 'other', pid: s.pid!, startTime: real }, 2000)).toBe('stopped');
    expect(await s.exited).toBe('SIGTERM');
  });

  it('cluster teardown leaves an unrelated process alone even if a record names its pid', async () => {
    const env = { ...process.env, EBBFLOW_STATE_DIR: mkdtempSync(join(tmpdir(), 'ebf-state-')) };
    const s = sleeper();
    const procs = join(ebbflowClusterDir('victim', env), 'procs');
    mkdirSync(procs, { recursive: true });
    writeFileSync(join(procs, 'prometheus.json'), JSON.stringify({ label: 'prometheus', pid: s.pid, startTime: processStartTime(s.pid!)! + 7 }));
    writeFileSync(join(procs, 'ebbflow-agent.json'), JSON.stringify({ label: 'ebbflow-agent', pid: s.pid, startTime: 1 }));
    await stopCluster('victim', env);
    expect(running(s)).toBe(true);
    expect(existsSync(ebbflowClusterDir('victim', env))).toBe(false);
    expect(clusterSupervisor('victim', env).list()).toEqual([]);
  });
});

describe('cluster names and state paths', () => {
  it('accepts DNS labels only', () => {
    for (const ok of ['ebbflow', 'a', 'e2e-replay-1', 'x'.repeat(63)]) expect(validateClusterName(ok)).toBe(ok);
    for (const bad of ['../../x', '/etc', '..', '.', 'Upper', 'x'.repeat(64), '-a', 'a-', 'a_b', 'a/b', '']) expect(() => validateClusterName(bad), bad).toThrow(/invalid/);
  });

  it('insideRoot: strictly below the root, after resolving .. and symbolic links', () => {
    const root = mkdtempSync(join(tmpdir(), 'ebf-root-'));
    const outside = mkdtempSync(join(tmpdir(), 'ebf-out-'));
    symlinkSync(outside, join(root, 'link'));
    expect(insideRoot(root, join(root, 'clusters', 'a'))).toBe(true);
    expect(insideRoot(root, root)).toBe(false);
    expect(insideRoot(root, join(root, '..', 'x'))).toBe(false);
    expect(insideRoot(root, join(root, 'link', 'a'))).toBe(false);
    expect(insideRoot(root, '/etc')).toBe(false);
  });
});
