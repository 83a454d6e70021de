import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1Namespace } from '@kubernetes/client-node';
import type { Component, ComponentContext } from '../../core/component.ts';
import { UserError } from '../../core/errors.ts';
import { waitUntil } from '../../core/wait.ts';

/** The label that marks a namespace as created by ebbflow; the annotations say by which run and when. */
export const OWNER_LABEL = 'ebbflow.io/owner';
export const OWNER_VALUE = 'ebbflow';
export const RUN_ID_ANNOTATION = 'ebbflow.io/run-id';
export const STARTED_ANNOTATION = 'ebbflow.io/started-at';

export type NamespaceDecision = { action: 'create' } | { action: 'wait-gone' } | { action: 'refuse'; message: string; hint: string };

type NamespaceView = Pick<V1Namespace, 'metadata' | 'status'>;

/**
 * Whether a run may take namespace `name`, given what the cluster has under that name. Only a
 * namespace that does not exist is created. One of ours that is still terminating (an earlier run's
 * teardown) is waited out. One of ours that is active is refused too: it may belong to a run still
 * going on against the same cluster, and two runs in one namespace would delete each other's work.
 */
export function decideNamespace(name: string, existing: NamespaceView | undefined): NamespaceDecision {
  if (!existing) return { action: 'create' };
  const labels = existing.metadata?.labels ?? {};
  const notes = existing.metadata?.annotations ?? {};
  if (labels[OWNER_LABEL] !== OWNER_VALUE) {
    return {
      action: 'refuse',
      message: `namespace ${name} already exists and was not created by ebbflow (no label ${OWNER_LABEL}=${OWNER_VALUE}); ebbflow installs only into a namespace it creates, and deletes it at the end`,
      hint: 'choose a --namespace that does not exist in the cluster yet',
    };
  }
  if (existing.status?.phase === 'Terminating') return { action: 'wait-gone' };
  return {
    action: 'refuse',
    message: `namespace ${name} belongs to another ebbflow run (run id ${notes[RUN_ID_ANNOTATION] ?? 'unknown'}, started ${notes[STARTED_ANNOTATION] ?? 'at an unknown time'})`,
    hint: `wait for that run to end, or use another --namespace; if that run was killed and left it behind: kubectl delete namespace ${name}`,
  };
}

/** The namespace object a run creates: our label, the run id and the start time. */
export function ownedNamespace(name: string, runId: string, now = new Date()): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [OWNER_LABEL]: OWNER_VALUE, 'app.kubernetes.io/managed-by': 'ebbflow' }, annotations: { [RUN_ID_ANNOTATION]: runId, [STARTED_ANNOTATION]: now.toISOString() } },
  };
}

/** True when an object carries this run's id: only such objects are ever deleted. */
export function isOurs(obj: Pick<KubernetesObject, 'metadata'> | undefined, runId: string): boolean {
  return obj?.metadata?.annotations?.[RUN_ID_ANNOTATION] === runId;
}

export const newRunId = (): string => `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;

const status = (e: unknown): number | undefined => (e as { code?: number }).code;

export interface OwnedNamespaceOptions {
  kubeConfig: KubeConfig;
  name: string;
  runId?: string;
  /** How long stop waits for the namespace to be gone (default 55 s, inside the replay's stop budget). */
  goneTimeoutMs?: number;
}

/**
 * The namespace a run on an existing cluster owns: created labelled as ebbflow's, deleted on stop
 * (success, failure or Ctrl-C, as the stack stops) and waited for until the API no longer has it.
 * Cluster-scoped objects the run itself created (an APIService) are `register`ed here and deleted
 * on stop too, and only if they still carry this run's id, so nothing the cluster already had is
 * ever touched.
 */
export class OwnedNamespaceComponent implements Component {
  readonly name = 'namespace';
  readonly runId: string;
  private created = false;
  private readonly registered: KubernetesObject[] = [];

  constructor(private readonly o: OwnedNamespaceOptions) {
    this.runId = o.runId ?? newRunId();
  }

  /** Annotations a cluster-scoped object created by this run must carry to be removed at the end. */
  get annotations(): Record<string, string> {
    return { [RUN_ID_ANNOTATION]: this.runId };
  }

  async start(ctx: ComponentContext): Promise<void> {
    const core = this.o.kubeConfig.makeApiClient(CoreV1Api);
    const read = () => core.readNamespace({ name: this.o.name }).catch((e: unknown) => (status(e) === 404 ? undefined : Promise.reject(e)));
    let decision = decideNamespace(this.o.name, await read());
    if (decision.action === 'wait-gone') {
      ctx.progress(`namespace ${this.o.name}: waiting for an earlier run's namespace to finish terminating`);
      await waitUntil(`namespace ${this.o.name} of an earlier run to be deleted`, this.o.goneTimeoutMs ?? 120_000, async () => ((await read()) ? undefined : true), undefined, 500, ctx.signal);
      decision = decideNamespace(this.o.name, await read());
    }
    if (decision.action === 'refuse') throw new UserError(decision.message, decision.hint);
    await core.createNamespace({ body: ownedNamespace(this.o.name, this.runId) }).catch((e: unknown) => {
      // Someone created it between our read and our create: theirs, so refuse.
      if (status(e) === 409) throw new UserError(`namespace ${this.o.name} was created by someone else while this run started`, 'choose a --namespace that does not exist in the cluster yet');
      throw e;
    });
    this.created = true;
    ctx.progress(`namespace ${this.o.name} created (run ${this.runId})`);
  }

  /** A cluster-scoped object this run created (with `annotations`), removed on stop. */
  register(obj: KubernetesObject): void {
    this.registered.push({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata?.name } });
  }

  async stop(): Promise<void> {
    const objs = KubernetesObjectApi.makeApiClient(this.o.kubeConfig);
    const problems: string[] = [];
    for (const ref of this.registered.splice(0).reverse()) {
      const live = await objs.read(ref as never).catch(() => undefined);
      if (!isOurs(live, this.runId)) continue;
      await objs.delete(ref).catch((e: unknown) => {
        if (status(e) !== 404) problems.push(`${ref.kind} ${ref.metadata?.name}: ${(e as Error).message}`);
      });
    }
    if (this.created) await this.deleteNamespace().catch((e: unknown) => problems.push((e as Error).message));
    if (problems.length) throw new Error(`cleaning up the existing cluster: ${problems.join('; ')}`);
  }

  private async deleteNamespace(): Promise<void> {
    const core = this.o.kubeConfig.makeApiClient(CoreV1Api);
    const name = this.o.name;
    const live = await core.readNamespace({ name }).catch(() => undefined);
    // Never delete a namespace that is no longer the one this run created.
    if (live && isOurs(live, this.runId)) {
      await core.deleteNamespace({ name }).catch((e: unknown) => (status(e) === 404 ? undefined : Promise.reject(e)));
      // The run is over and a terminating namespace takes no new pods: its own pods need no grace
      // period (one whose process ignores SIGTERM would hold the namespace for 30 s).
      await core.deleteCollectionNamespacedPod({ namespace: name, gracePeriodSeconds: 0 }).catch(() => {});
    }
    this.created = false;
    const timeout = this.o.goneTimeoutMs ?? 55_000;
    await waitUntil(`namespace ${name} to be deleted`, timeout, async () => {
      const ns = await core.readNamespace({ name }).catch((e: unknown) => (status(e) === 404 ? null : Promise.reject(e)));
      return ns === null || !isOurs(ns, this.runId) ? true : undefined;
    }, () => `check what holds it: kubectl get namespace ${name} -o yaml (finalizers, conditions)`, 500);
  }
}
