import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLoopback, listenersOf, type Listener } from '../../cluster/local/listeners.ts';
import { descendantsOf, processStartTime, processTable } from '../../cluster/local/supervisor.ts';
import { sleep } from '../../core/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The replay process, everything it started, and every process naming its state directory (the detached agent, kwokctl's components). */
function replayPids(replay: number, state: string): number[] {
  const table = processTable();
  const names = (pid: number) => ['cmdline', 'environ'].some((f) => {
    try {
      return readFileSync(`/proc/${pid}/${f}`, 'utf8').includes(state);
    } catch {
      return false;
    }
  });
  const roots = table.filter((p) => p.pid === replay || (p.pid !== process.pid && names(p.pid)));
  return [...new Set(roots.flatMap((r) => [r.pid, ...descendantsOf(r, table).map((d) => d.pid)]))];
}

describe('a replay on the local backend', () => {
  it('listens on loopback only, every process of it, and writes its reports over symlinks without following them', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ebf-replay-confine-'));
    const state = join(base, 'state');
    const out = join(base, 'out');
    mkdirSync(out);
    const victim = join(base, 'my-notes.html');
    writeFileSync(victim, 'my own file\n');
    for (const f of ['report.html', 'summary.md', 'timeline.jsonl']) symlinkSync(victim, join(out, f));
    const child = spawn(process.execPath, [join(ROOT, 'bin/ebbflow.js'), 'replay', join(ROOT, 'scenarios/tiny.yaml'), '--out', out, '--cluster-name', 'e2e-confine'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EBBFLOW_STATE_DIR: state },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Every listener seen while the replay runs, sampled until it exits.
    const seen = new Map<string, Listener>();
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      for (const l of listenersOf(replayPids(child.pid!, state))) seen.set(`${l.process} ${l.address}:${l.port}`, l);
      await sleep(300);
    }
    const code = await exited;
    expect(code, output).toBe(0);
    const processes = new Set([...seen.values()].map((l) => l.process));
    // The control plane, Prometheus, the adapter and the replay itself (fake SLS, exporter) were all
    // seen listening (names as /proc/<pid>/comm keeps them: 15 characters).
    for (const p of ['etcd', 'kube-apiserver', 'kwok-controller', 'kube-scheduler', 'prometheus', 'prometheus-adap', 'node']) expect(processes, [...processes].join(', ')).toContain(p);
    expect([...seen.values()].filter((l) => !isLoopback(l.address))).toEqual([]);
    // The reports replaced the symlinks; the file they pointed at is untouched.
    expect(readFileSync(victim, 'utf8')).toBe('my own file\n');
    for (const f of ['report.html', 'summary.md', 'timeline.jsonl']) expect(lstatSync(join(out, f)).isFile(), f).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('tiny');
    expect(replayPids(child.pid!, state).filter((p) => processStartTime(p) !== undefined)).toEqual([]);
    rmSync(base, { recursive: true, force: true });
  }, 300_000);
});
