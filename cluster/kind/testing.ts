import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { waitUntil } from '../../core/wait.ts';
import { namespaceLedger } from '../local/testing.ts';
import { ERROR_FILE, READY_FILE, REQUEST_FILE } from './shared-cluster.setup.ts';

/**
 * Test support: the e2e project's shared kind cluster (`shared-cluster.setup.ts`), started by the
 * first file that asks for it. A file opts in in its `beforeAll` and gives its namespaces back in
 * `afterAll`:
 *
 *   c = await sharedKindCluster();
 *   const ns = await c.namespace('my-test');
 *   ...
 *   afterAll(() => c?.release());
 *
 * What a file may not do on it: stop it, change kcm's flags or the node (labels, static pods such
 * as kind's scheduler), or leave cluster-scoped objects another file would see (a Node its own
 * virtual-kubelet registered is deleted in its `afterAll`). Such a file keeps its own cluster
 * (`cluster/kind/README.md`, "Tests").
 */
export interface SharedKindCluster {
  name: string;
  kubeconfig: string;
  kubeConfig: KubeConfig;
  /** Docker container of the node (for `docker exec`). */
  nodeContainer: string;
  /** The host as the node and its pods reach it. */
  hostAddress: string;
  /** Creates the namespace `name` (exactly that name) and remembers it for `release()`. */
  namespace(name: string): Promise<string>;
  /** Deletes every namespace this file created, without waiting for the namespace controller. */
  release(): Promise<void>;
}

/** The label on every namespace a file created on the shared kind cluster. */
export const SHARED_KIND_NAMESPACE_LABEL = 'ebbflow.io/e2e-shared-kind';

/** `kind create` takes 20–50 s on 2 busy cores; its own waits (node Ready 180 s, the service account 60 s) bound it first. */
const START_DEADLINE_MS = 330_000;

export async function sharedKindCluster(): Promise<SharedKindCluster> {
  const ctx = inject('ebbflowSharedKindCluster');
  if (!ctx) throw new Error('no shared kind cluster: run this file in the e2e project (vitest.config.ts gives it the global setup cluster/kind/shared-cluster.setup.ts)');
  if (!existsSync(join(ctx.dir, REQUEST_FILE))) writeFileSync(join(ctx.dir, REQUEST_FILE), `${process.pid}\n`);
  const outcome = await waitUntil(`the shared kind cluster "${ctx.name}" (started by the e2e project's global setup)`, START_DEADLINE_MS, async () => {
    if (existsSync(join(ctx.dir, ERROR_FILE))) return { error: readFileSync(join(ctx.dir, ERROR_FILE), 'utf8') };
    return existsSync(join(ctx.dir, READY_FILE)) ? { error: undefined } : undefined;
  }, undefined, 200);
  if (outcome.error !== undefined) throw new Error(`the shared kind cluster "${ctx.name}" did not start:\n${outcome.error}`);
  const ready = JSON.parse(readFileSync(join(ctx.dir, READY_FILE), 'utf8')) as { kubeconfig: string; nodeContainer: string; hostAddress: string };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(ready.kubeconfig);
  return {
    name: ctx.name,
    kubeconfig: ready.kubeconfig,
    kubeConfig,
    nodeContainer: ready.nodeContainer,
    hostAddress: ready.hostAddress,
    ...namespaceLedger(kubeConfig.makeApiClient(CoreV1Api), SHARED_KIND_NAMESPACE_LABEL),
  };
}
