import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { waitUntil } from '../../core/wait.ts';
import { attachCluster, parseClusterConfig, startDeadlineSeconds, type LocalCluster } from './lifecycle.ts';
import { CLAIMED_FILE, ERROR_FILE, READY_FILE, SHARED_CLUSTER_CONFIG, START_ATTEMPTS } from './shared-cluster.setup.ts';

/**
 * Test support: the e2e project's shared local control plane (`shared-cluster.setup.ts`). A file
 * opts in with one call in its `beforeAll` and gives its namespaces back in `afterAll`:
 *
 *   c = await sharedCluster();
 *   const ns = await c.namespace('my-test');
 *   ...
 *   afterAll(() => c?.release());
 *
 * What a file may not do on it: stop it, change its flags, or leave cluster-scoped objects that
 * change what another file sees (an APIService whose backend is gone breaks every namespace
 * deletion; a webhook whose server is gone refuses what it matches). Such a file deletes those in
 * its own `afterAll`, or keeps its own cluster.
 */
export interface SharedCluster extends Omit<LocalCluster, 'stop' | 'startControllerManager'> {
  /**
   * Creates the namespace `name` (exactly that name: assertions may quote it; two files choosing
   * one name fail loudly with AlreadyExists) and remembers it for `release()`.
   */
  namespace(name: string): Promise<string>;
  /** Deletes every namespace this file created (without waiting for the namespace controller). */
  release(): Promise<void>;
}

/** The label on every namespace a file created on the shared cluster. */
export const SHARED_NAMESPACE_LABEL = 'ebbflow.io/e2e-shared';

/**
 * Until the first attempt's control plane starts: the toolchain check (`npm test` installs the
 * toolchain before vitest runs; a bare `vitest run` on a machine without it builds it here, which
 * takes ~10 minutes on 2 cores).
 */
const CLAIM_DEADLINE_MS = 20 * 60_000;

/**
 * From the first attempt's claim to ready or error: each attempt's own bound (`startDeadlineSeconds`:
 * kwokctl's create and each wait bounded by `readyTimeoutSeconds`) plus its teardown after a failure.
 * The setup writes its error as soon as the last attempt fails, so this only bounds a setup that hangs.
 */
function readyDeadlineMs(): number {
  const config = parseClusterConfig(SHARED_CLUSTER_CONFIG);
  return START_ATTEMPTS * (startDeadlineSeconds(config) + 30) * 1000;
}

export async function sharedCluster(): Promise<SharedCluster> {
  const ctx = inject('ebbflowSharedCluster');
  if (!ctx) throw new Error('no shared cluster: run this file in the e2e project (vitest.config.ts gives it the global setup cluster/local/shared-cluster.setup.ts)');
  const what = `the shared cluster "${ctx.name}" (started by the e2e project's global setup)`;
  const outcome = (f: string) => (existsSync(join(ctx.dir, ERROR_FILE)) ? { error: readFileSync(join(ctx.dir, ERROR_FILE), 'utf8') } : existsSync(join(ctx.dir, f)) ? { error: undefined } : undefined);
  const claimed = await waitUntil(`${what} to begin its control plane`, CLAIM_DEADLINE_MS, async () => outcome(CLAIMED_FILE), undefined, 100);
  const ready = claimed.error !== undefined ? claimed : await waitUntil(`${what} to be ready`, readyDeadlineMs(), async () => outcome(READY_FILE), undefined, 100);
  if (ready.error !== undefined) throw new Error(`the shared cluster "${ctx.name}" did not start:\n${ready.error}`);
  const { stop: _stop, startControllerManager: _start, ...c } = await attachCluster(ctx.name);
  return { ...c, ...namespaceLedger(c.kubeConfig.makeApiClient(CoreV1Api), SHARED_NAMESPACE_LABEL) };
}

/**
 * A file's namespaces on a shared cluster: `namespace(name)` creates exactly that name with `label`
 * (two files choosing one name fail loudly with AlreadyExists), `release()` deletes them. Deleted,
 * not waited for: the namespace controller takes ~10 s per namespace on 2 busy cores (measured 11 s
 * at load 23), and no later file can see what is in it (one name per file). The cluster itself goes
 * at the end of the run.
 */
export function namespaceLedger(core: CoreV1Api, label: string): { namespace(name: string): Promise<string>; release(): Promise<void> } {
  const mine: string[] = [];
  return {
    async namespace(name) {
      await core.createNamespace({ body: { metadata: { name, labels: { [label]: 'true' } } } });
      mine.push(name);
      return name;
    },
    async release() {
      for (const ns of mine.splice(0)) {
        await core.deleteNamespace({ name: ns }).catch((e: { code?: number }) => {
          if (e.code !== 404) throw e;
        });
      }
    },
  };
}
