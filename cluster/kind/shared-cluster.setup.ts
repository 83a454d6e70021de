import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startKindCluster, stopKindCluster, type KindCluster } from './cluster.ts';

/**
 * The e2e project's second global setup: one kind cluster for the kind e2e files that call
 * `sharedKindCluster()` (`testing.ts`), namespaces apart, instead of one each (~25 s of `kind
 * create` and ~4 s of delete per file on 2 cores).
 *
 * Started only when a file asks for it: a file writes `request` into the directory below and waits
 * for `ready.json` or `error.txt`. vitest cannot tell a global setup which files it will run, and
 * a kind cluster is too heavy to start for a run that has no kind file in it (most runs of one
 * file, every unit-only run).
 *
 * Deleted on any exit: by the teardown on a normal end or a failed file, and by a watchdog process
 * (`sh`, detached) that runs `ebbflow cluster down --backend kind` when the vitest process is gone
 * without its teardown (Ctrl-C twice, a crash, a SIGKILL) — the kind counterpart of the local
 * cluster's agent.
 */

/** The cluster every sharing file gets: k = 1 (kcm's HPA flags as upstream), no node labels, no vk-eci (a file starts its own). */
export const SHARED_KIND_CLUSTER_INPUT = { compression: 1 } as const;

export interface SharedKindClusterContext {
  /** One per vitest process, so two runs on one machine never collide. */
  name: string;
  /** Where a file writes `request` and the setup writes `ready.json` or `error.txt`. */
  dir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    ebbflowSharedKindCluster: SharedKindClusterContext;
  }
}

export const REQUEST_FILE = 'request';
export const READY_FILE = 'ready.json';
export const ERROR_FILE = 'error.txt';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The watchdog's shell script: waits for `owner` to die, then deletes the cluster. Killed by the
 * teardown once the cluster is down, so it never outlives a run that cleaned up after itself.
 */
export function watchdogScript(owner: number, name: string, node: string, ebbflow: string): string {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return `while kill -0 ${owner} 2>/dev/null; do sleep 1; done; exec ${q(node)} ${q(ebbflow)} cluster down --backend kind --cluster-name ${q(name)}`;
}

export function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ebf-shared-kind-'));
  const name = `e2e-kind-${process.pid}`;
  project.provide('ebbflowSharedKindCluster', { name, dir });
  let started: Promise<KindCluster | undefined> | undefined;
  let watchdog: number | undefined;
  const start = () => {
    const w = spawn('sh', ['-c', watchdogScript(process.pid, name, process.execPath, join(REPO, 'bin', 'ebbflow.js'))], { detached: true, stdio: 'ignore' });
    w.unref();
    watchdog = w.pid;
    const t0 = performance.now();
    return startKindCluster({ ...SHARED_KIND_CLUSTER_INPUT, name }).then(
      (c) => {
        writeFileSync(join(dir, READY_FILE), JSON.stringify({ name, kubeconfig: c.kubeconfig, nodeContainer: c.nodeContainer, hostAddress: c.hostAddress, startSeconds: Math.round(performance.now() - t0) / 1000 }));
        return c;
      },
      (e: unknown) => {
        writeFileSync(join(dir, ERROR_FILE), e instanceof Error ? (e.stack ?? e.message) : String(e));
        return undefined;
      },
    );
  };
  const poll = setInterval(() => {
    if (!started && existsSync(join(dir, REQUEST_FILE))) started = start();
  }, 200);
  poll.unref();
  return async () => {
    clearInterval(poll);
    let down = true;
    if (started) {
      await started;
      // By name, also after a start that failed half-way (the node up, the service account not).
      await stopKindCluster(name).catch((e: unknown) => {
        down = false;
        process.stderr.write(`shared kind cluster ${name}: ${e instanceof Error ? e.message : String(e)}; the watchdog tries again once this process exits\n`);
      });
    }
    if (down && watchdog !== undefined) {
      try {
        process.kill(watchdog);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
