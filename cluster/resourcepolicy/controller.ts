import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createInformer, errorText, waitForCacheSync, type SharedInformer } from '../kube/informer.ts';
import { createWorkQueue } from '../kube/queue.ts';
import { costPatches } from './costs.ts';
import { DELETION_COST, RP_GROUP, RP_PLURAL, RP_VERSION, selectsLabels, type ResourcePolicySpec } from './spec.ts';

/**
 * The scale-in side of the ResourcePolicy: client-go style, informers on the namespace's
 * ResourcePolicies, pods and the nodes feed a queue of policy keys; each reconcile sets
 * `controller.kubernetes.io/pod-deletion-cost` on the policy's bound pods by unit (a later unit
 * costs less), so kube-controller-manager's ReplicaSet controller deletes the last unit's pods first.
 * Best effort, as ACK documents its own reverse-order scale-in: the ReplicaSet controller ranks
 * pods by deletion cost only after readiness and phase (a pending pod goes first wherever it is).
 */

type RpObject = KubernetesObject & { spec?: ResourcePolicySpec };

export interface DeletionCostController {
  synced: Promise<void>;
  stop(): Promise<void>;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function startDeletionCostController(o: { kubeConfig: KubeConfig; namespace: string; logger?: Logger }): DeletionCostController {
  const core = o.kubeConfig.makeApiClient(CoreV1Api);
  const custom = o.kubeConfig.makeApiClient(CustomObjectsApi);
  const ns = o.namespace;
  const base = { kubeConfig: o.kubeConfig, logger: o.logger };
  const policies: SharedInformer<RpObject> = createInformer<RpObject>({
    ...base, name: RP_PLURAL, path: `/apis/${RP_GROUP}/${RP_VERSION}/namespaces/${ns}/${RP_PLURAL}`,
    list: () => custom.listNamespacedCustomObject({ group: RP_GROUP, version: RP_VERSION, plural: RP_PLURAL, namespace: ns }) as never,
  });
  const pods = createInformer<V1Pod>({ ...base, name: 'pods', path: `/api/v1/namespaces/${ns}/pods`, list: () => core.listNamespacedPod({ namespace: ns }) });
  const nodes = createInformer<V1Node>({ ...base, name: 'nodes', path: '/api/v1/nodes', list: () => core.listNode() });
  const queue = createWorkQueue();
  const enqueueAll = () => {
    for (const p of policies.list(ns)) queue.add(p.metadata?.name ?? '');
  };
  policies.on('add', (p) => queue.add(p.metadata?.name ?? ''));
  policies.on('update', (p) => queue.add(p.metadata?.name ?? ''));
  // A pod (bound, moved, annotated by someone else) re-queues the policies that select it.
  const onPod = (pod: V1Pod) => {
    for (const p of policies.list(ns)) if (selectsLabels(p.spec ?? {}, pod.metadata?.labels)) queue.add(p.metadata?.name ?? '');
  };
  for (const verb of ['add', 'update'] as const) pods.on(verb, onPod);
  nodes.on('update', enqueueAll);

  const reconcile = async (name: string) => {
    const policy = policies.get(name, ns);
    if (!policy?.spec) return;
    const view = pods.list(ns).map((p) => ({
      name: p.metadata?.name ?? '', labels: p.metadata?.labels, annotations: p.metadata?.annotations, nodeName: p.spec?.nodeName, terminating: !!p.metadata?.deletionTimestamp,
    }));
    const patches = costPatches(policy.spec, view, (n) => nodes.get(n)?.metadata?.labels);
    await Promise.all(patches.map(([pod, cost]) => core.patchNamespacedPod({ name: pod, namespace: ns, body: { metadata: { annotations: { [DELETION_COST]: cost } } } }, mergePatch)
      .catch((e: unknown) => {
        // A pod deleted meanwhile needs no cost; anything else is retried.
        if ((e as { code?: number }).code !== 404) throw e;
      })));
  };
  let running = true;
  const worker = async () => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (e) {
        o.logger?.warn({ policy: key, err: errorText(e) }, 'deletion-cost reconcile failed; retrying');
        if (running) queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  const informers = [policies, pods, nodes] as SharedInformer<KubernetesObject>[];
  for (const i of informers) void i.start();
  const synced = waitForCacheSync(informers, 60_000).then(() => {
    void worker();
    enqueueAll();
  });
  return {
    synced,
    async stop() {
      running = false;
      queue.shutdown();
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}
