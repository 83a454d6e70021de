import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { registerClusterProcess } from '../../cluster/local/index.ts';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface ManagedProcess {
  label: string;
  pid: number;
  logFile: string;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/**
 * Starts a long-running helper process with its output in a log file, registered with the cluster
 * so that `stopCluster` (or the agent, after a crash) stops it too.
 */
export function startManaged(opts: { cluster: string; label: string; bin: string; args: string[]; logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): ManagedProcess {
  const fd = openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn(opts.bin, opts.args, { stdio: ['ignore', fd, fd], env: opts.env ?? process.env, cwd: opts.cwd });
  closeSync(fd);
  if (!child.pid) throw new Error(`could not start ${opts.label} (${opts.bin})`);
  const pid = child.pid;
  registerClusterProcess(opts.cluster, opts.label, pid);
  let exited = false;
  child.once('exit', () => (exited = true));
  const logTail = (lines = 20) => {
    try {
      return readFileSync(opts.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  return {
    label: opts.label,
    pid,
    logFile: opts.logFile,
    logTail,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export { waitUntil } from '../common/wait.ts';
