import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listClusterNames } from '../../../cluster/local/state.ts';
import { processStartTime } from '../../../cluster/local/supervisor.ts';
import { main } from '../main.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function sleeper(): ChildProcess {
  const c = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

/** Still running: no exit event yet and the pid has a live /proc entry. */
const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null && processStartTime(c.pid!) !== undefined;

describe('ebbflow cluster with a hostile --name', () => {
  const saved = process.env.EBBFLOW_STATE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.EBBFLOW_STATE_DIR;
    else process.env.EBBFLOW_STATE_DIR = saved;
  });

  it.each(['../../x', '/etc', '..', 'UPPER', 'x'.repeat(64)])('%s: exit 2 for up, down and status, nothing touched', async (name) => {
    const base = mkdtempSync(join(tmpdir(), 'ebf-hostile-'));
    const state = join(base, 'a', 'b');
    process.env.EBBFLOW_STATE_DIR = state;
    // What `--name ../../x` would reach from the state's cluster directories: a directory holding
    // a pid record of a live process.
    const s = sleeper();
    for (const d of [join(state, 'clusters', name), join(state, 'kwok', 'clusters', name), join(base, 'x')]) {
      if (!d.startsWith(base)) continue;
      mkdirSync(join(d, 'procs'), { recursive: true });
      writeFileSync(join(d, 'procs', 'p.json'), JSON.stringify({ label: 'p', pid: s.pid, startTime: processStartTime(s.pid!) }));
    }
    for (const cmd of ['down', 'status', 'up']) {
      expect(await main(['node', 'ebbflow', 'cluster', cmd, '--name', name]), cmd).toBe(2);
    }
    expect(running(s)).toBe(true);
    expect(readFileSync(join(base, 'x', 'procs', 'p.json'), 'utf8')).toContain(String(s.pid));
    expect(existsSync('/etc/passwd')).toBe(true);
  });

  it('--all stops valid clusters and skips entries that are not cluster names', async () => {
    const state = mkdtempSync(join(tmpdir(), 'ebf-all-'));
    process.env.EBBFLOW_STATE_DIR = state;
    mkdirSync(join(state, 'clusters', 'Not_A_Name'), { recursive: true });
    mkdirSync(join(state, 'clusters', 'good'), { recursive: true });
    expect(listClusterNames()).toEqual(['good']);
    expect(await main(['node', 'ebbflow', 'cluster', 'down', '--all'])).toBe(0);
    expect(existsSync(join(state, 'clusters', 'good'))).toBe(false);
    expect(existsSync(join(state, 'clusters', 'Not_A_Name'))).toBe(true);
  });
});

describe('ebbflow replay with a hostile --cluster-name', () => {
  it.each(['../../x', '/etc', '..', 'Upper', 'x'.repeat(64)])('%s: exit 2 before anything starts', async (name) => {
    const out = mkdtempSync(join(tmpdir(), 'ebf-replay-name-'));
    expect(await main(['node', 'ebbflow', 'replay', 'scenarios/tiny.yaml', '--out', out, '--cluster-name', name])).toBe(2);
    expect(existsSync(join(out, 'timeline.jsonl'))).toBe(false);
  });
});
