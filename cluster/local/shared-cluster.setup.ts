import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startCluster, stopCluster, type LocalCluster } from './lifecycle.ts';
import type { ClusterConfigInput } from './config.ts';

/**
 * The e2e project's global setup: one local control plane for every e2e file that calls
 * `sharedCluster()` (`testing.ts`), instead of one per file (~5 s of start and 1–2 s of stop each on
 * 2 cores, paid one file after the other).
 *
 * It is started here without being awaited: vitest awaits every project's global setup before any
 * test runs, so awaiting would hold the unit tests back; started in the background, it comes up
 * while the unit tests and the first e2e files run. The files wait for the marker it writes.
 *
 * Owned by the vitest process (the cluster agent tears it down within half a second of that
 * process dying: Ctrl-C, a crash, a SIGKILL), and stopped by the teardown on a normal end.
 */

/**
 * The one configuration every sharing file gets, chosen so that each converted file's assertions
 * hold as they did on its own cluster: k = 10 (the HPA syncs every 1.5 s; the CronHPA and recorder
 * tests count on it), ECS nodes carrying the node-pool label the UnitedDeployment's `ecs` subset
 * selects, and an ECI start latency without jitter (10 s start + 2 s pull: both the recorder's
 * "≥ 10 virtual s" and the ElasticWorkload test's "≥ 1.2 s wall" are exact bounds of it).
 */
export const SHARED_CLUSTER_CONFIG = {
  compression: 10,
  nodePools: {
    ecs: [{ name: 'ecs', count: 3, labels: { 'alibabacloud.com/nodepool-id': 'np-ecs' } }],
    eci: { startLatency: { startSeconds: 10, imagePull: { min: 2, max: 2 }, jitterSeconds: 0 } },
  },
} satisfies ClusterConfigInput;

/** What the setup hands the test files (through vitest's `provide`/`inject`). */
export interface SharedClusterContext {
  /** The cluster's name: one per vitest process, so two runs on one machine never collide. */
  name: string;
  /** Where the setup writes `ready.json` or `error.txt` once the start ended. */
  dir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    ebbflowSharedCluster: SharedClusterContext;
  }
}

export const READY_FILE = 'ready.json';
export const ERROR_FILE = 'error.txt';
/** Written when an attempt's control plane starts (the toolchain checked): the files' deadline counts from there. */
export const CLAIMED_FILE = 'claimed.json';
/** A start that failed is tried once more: a port taken between the probe and the bind by a process outside ebbflow, say. */
export const START_ATTEMPTS = 2;

const message = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

async function startWithRetry(name: string, dir: string): Promise<LocalCluster | undefined> {
  const t0 = performance.now();
  const failures: string[] = [];
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      const c = await startCluster({ ...SHARED_CLUSTER_CONFIG, name }, { onClaimed: () => writeFileSync(join(dir, CLAIMED_FILE), JSON.stringify({ attempt })) });
      writeFileSync(join(dir, READY_FILE), JSON.stringify({ name, startSeconds: Math.round(performance.now() - t0) / 1000, attempt, timings: c.timings, failures }));
      return c;
    } catch (e) {
      failures.push(`attempt ${attempt}: ${message(e)}`);
      // Printed where the run's log shows it: a retried start is a finding even when the retry passes.
      process.stderr.write(`shared cluster "${name}": start attempt ${attempt} of ${START_ATTEMPTS} failed: ${message(e)}\n`);
    }
  }
  writeFileSync(join(dir, ERROR_FILE), failures.join('\n\n'));
  return undefined;
}

export function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ebf-shared-cluster-'));
  const name = `e2e-shared-${process.pid}`;
  project.provide('ebbflowSharedCluster', { name, dir });
  const started = startWithRetry(name, dir);
  return async () => {
    const c = await started;
    // startCluster cleans up after its own failure; a started one is stopped here, by name, so a
    // handle that failed half-way cannot leave processes behind either.
    if (c) await stopCluster(name);
    rmSync(dir, { recursive: true, force: true });
  };
}
