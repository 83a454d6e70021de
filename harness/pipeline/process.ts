import { clusterSupervisor } from '../../cluster/local/index.ts';

export { freePort } from '../../core/ports.ts';

export interface ManagedProcess {
  label: string;
  pid: number;
  logFile: string;
  logTail(lines?: number): string;
  /** TERM, then KILL after a grace period; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running helper process through the cluster's supervisor (`cluster/local`): its
 * output goes to a log file and it is recorded by pid + start time, so `stopCluster` (or the agent,
 * after a crash) stops it too, and nothing else is ever signalled in its name.
 */
export function startManaged(opts: { cluster: string; label: string; bin: string; args: string[]; logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): ManagedProcess {
  const proc = clusterSupervisor(opts.cluster).spawn({ label: opts.label, bin: opts.bin, args: opts.args, logFile: opts.logFile, env: opts.env, cwd: opts.cwd });
  return {
    label: proc.label,
    pid: proc.pid,
    logFile: proc.logFile,
    logTail: proc.logTail,
    async stop() {
      const outcome = await proc.stop(5000);
      if (outcome === 'stuck') throw new Error(`${proc.label} (pid ${proc.pid}) did not exit after SIGKILL`);
    },
  };
}

export { waitUntil } from '../../core/wait.ts';
