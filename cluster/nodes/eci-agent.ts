import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { eciFailureSchema, virtualNodeName, type EciFailure, type NodePools } from './config.ts';
import { failureDecider, seededRandom } from './latency.ts';
import {
  configVersion, ECI_CONFIG_ERROR, ECI_CONFIGMAP, ECI_FAILURES_APPLIED, ECI_LATENCY_APPLIED, newStampState, parseEciConfig, syncEciPod,
  type EciStampState,
} from './eci-sync.ts';
import { backoffDelay, createInformer, DEFAULT_BACKOFF, errorText, waitForCacheSync, type InformerErrorInfo, type SharedInformer } from '../kube/informer.ts';

export { ECI_CONFIGMAP, ECI_FAILURES_APPLIED, ECI_LATENCY_APPLIED, ECI_CONFIG_ERROR } from './eci-sync.ts';

export interface EciAgent {
  /** Pods stamped so far, by outcome. */
  stats(): { started: number; failed: number };
  stop(): Promise<void>;
}

export interface EciConfigAck {
  /** Version of the failure rules now applied (`configVersion`); the previous one when `error` is set. */
  failuresVersion: string;
  latencyVersion: string;
  error?: string;
}

export interface EciAgentOptions {
  kubeConfig: KubeConfig;
  pools: NodePools;
  compression: number;
  log: Logger;
  /** After each applied (or refused) failure-rules ConfigMap, and once at start. */
  onConfigApplied?: (ack: EciConfigAck) => void;
  /** After each pod stamp attempt. */
  onStamped?: (pod: string, outcome: 'stamped' | 'retry', annotations: Record<string, string> | undefined) => void;
  onInformerError?: (err: unknown, info: InformerErrorInfo) => void;
  /** `startEciAgent` rejects (and stops) if its caches have not listed after this long (default 30 s). */
  syncTimeoutMs?: number;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const FIELD_MANAGER = 'ebbflow-eci-agent';

/**
 * Plays the ECI provider: each pod bound to the virtual node gets either a ready time drawn from the
 * seeded latency distribution (scaled by 1/k) or an inventory failure (eci-sync.ts decides). KWOK's
 * stages act on the stamp, so the decision is made once per pod and survives agent restarts. The
 * config versions it applies are annotated on the virtual node, so callers wait on that, not on time.
 */
export async function startEciAgent(opts: EciAgentOptions): Promise<EciAgent> {
  const { kubeConfig: kc, pools, log } = opts;
  const vnode = virtualNodeName(pools.eci);
  const core = kc.makeApiClient(CoreV1Api);
  const state = newStampState(pools.eci.startLatency, pools.eci.failures, opts.compression, seededRandom(pools.seed));
  let stopped = false;
  const ack: EciConfigAck = { failuresVersion: configVersion(pools.eci.failures), latencyVersion: configVersion(pools.eci.startLatency) };
  const acknowledge = acknowledger(opts, core, vnode, ack, () => stopped);

  const pods = podInformer(opts, vnode, core, state);
  const cms = createInformer<V1ConfigMap>({
    name: 'eci-config', kubeConfig: kc, logger: log, onError: opts.onInformerError,
    path: `/api/v1/namespaces/${ECI_CONFIGMAP.namespace}/configmaps`,
    fieldSelector: `metadata.name=${ECI_CONFIGMAP.name}`,
    list: () => core.listNamespacedConfigMap({ namespace: ECI_CONFIGMAP.namespace, fieldSelector: `metadata.name=${ECI_CONFIGMAP.name}` }),
  });
  const applyConfig = (cm: V1ConfigMap) => {
    const parsed = parseEciConfig(cm);
    if (!parsed) return;
    if ('error' in parsed) {
      log.error({ err: parsed.error }, 'invalid ECI failure rules; keeping the previous rules');
      ack.error = parsed.error;
    } else {
      state.decider = failureDecider(parsed.rules, state.rnd);
      ack.failuresVersion = parsed.version;
      ack.error = undefined;
      log.info({ rules: parsed.rules, version: parsed.version }, 'eci failure rules applied');
    }
    void acknowledge();
  };
  cms.on('add', applyConfig);
  cms.on('update', applyConfig);

  // Both caches listed (a failed list is retried with backoff, not taken for an empty world); a
  // caller that supervises the agent gets control back after the timeout rather than hanging.
  void pods.start().catch(() => {});
  void cms.start().catch(() => {});
  try {
    await waitForCacheSync([pods, cms] as SharedInformer<KubernetesObject>[], opts.syncTimeoutMs ?? 30_000);
  } catch (e) {
    stopped = true;
    await Promise.allSettled([pods.stop(), cms.stop()]);
    throw e;
  }
  if (!cms.list(ECI_CONFIGMAP.namespace).length) await acknowledge();
  return {
    stats: () => ({ started: state.started, failed: state.failed }),
    async stop() {
      stopped = true;
      await Promise.allSettled([pods.stop(), cms.stop()]);
    },
  };
}

/**
 * Writes the applied config versions onto the virtual node. Acknowledgements go out one after
 * another, each with the state at its turn, so the node never ends on an older version than the
 * one applied. Callers wait on this annotation, so a transient API error must not lose it (the
 * node may also still be registering when the agent starts): it retries with backoff.
 */
function acknowledger(opts: EciAgentOptions, core: CoreV1Api, vnode: string, ack: EciConfigAck, isStopped: () => boolean): () => Promise<void> {
  const writeAck = async () => {
    const annotations = { [ECI_FAILURES_APPLIED]: ack.failuresVersion, [ECI_LATENCY_APPLIED]: ack.latencyVersion, [ECI_CONFIG_ERROR]: ack.error ?? '' };
    for (let attempt = 1; ; attempt++) {
      try {
        await core.patchNode({ name: vnode, body: { metadata: { annotations } }, fieldManager: FIELD_MANAGER }, mergePatch);
        break;
      } catch (e) {
        if (attempt >= 6 || isStopped()) {
          opts.log.warn({ err: errorText(e), node: vnode }, 'could not annotate the virtual node with the applied ECI config');
          break;
        }
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, DEFAULT_BACKOFF, Math.random)));
      }
    }
    opts.onConfigApplied?.({ ...ack });
  };
  let chain = Promise.resolve();
  return () => (chain = chain.then(writeAck));
}

function podInformer(opts: EciAgentOptions, vnode: string, core: CoreV1Api, state: EciStampState) {
  const fieldSelector = `spec.nodeName=${vnode}`;
  const patch = (namespace: string, name: string, annotations: Record<string, string>) =>
    core.patchNamespacedPod({ namespace, name, body: { metadata: { annotations } }, fieldManager: FIELD_MANAGER }, mergePatch);
  const pods = createInformer<V1Pod>({
    name: 'eci-pods', kubeConfig: opts.kubeConfig, logger: opts.log, onError: opts.onInformerError,
    path: '/api/v1/pods', fieldSelector,
    list: () => core.listPodForAllNamespaces({ fieldSelector }),
  });
  const stamp = async (p: V1Pod) => {
    const r = await syncEciPod(p, state, patch, Date.now());
    if (r.outcome === 'skipped') return;
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    // A failed stamp (deleted meanwhile, a conflict) is retried on the pod's next informer event.
    if (r.outcome === 'retry') opts.log.debug({ pod: key, err: errorText(r.error) }, 'eci stamp failed; will retry');
    else opts.log.debug({ pod: key, annotations: r.annotations }, 'eci pod stamped');
    opts.onStamped?.(key, r.outcome, r.annotations);
  };
  pods.on('add', (p) => void stamp(p));
  pods.on('update', (p) => void stamp(p));
  pods.on('delete', (p) => state.done.delete(`${p.metadata?.namespace}/${p.metadata?.name}`));
  return pods;
}

/**
 * Changes the failure rules of a running cluster's ECI agent and, unless `awaitAppliedMs` is 0,
 * waits until the agent acknowledges them on the virtual node (so the next ECI pod sees them).
 */
export async function setEciFailures(kc: KubeConfig, rules: Partial<EciFailure>, opts: { awaitAppliedMs?: number } = {}): Promise<void> {
  const full = eciFailureSchema.parse(rules);
  const core = kc.makeApiClient(CoreV1Api);
  const body: V1ConfigMap = {
    metadata: { name: ECI_CONFIGMAP.name, namespace: ECI_CONFIGMAP.namespace },
    data: { [ECI_CONFIGMAP.key]: JSON.stringify(full) },
  };
  try {
    await core.replaceNamespacedConfigMap({ name: ECI_CONFIGMAP.name, namespace: ECI_CONFIGMAP.namespace, body });
  } catch {
    await core.createNamespacedConfigMap({ namespace: ECI_CONFIGMAP.namespace, body });
  }
  const timeoutMs = opts.awaitAppliedMs ?? 30_000;
  if (timeoutMs > 0) await awaitEciAck(kc, configVersion(full), timeoutMs);
}

/** Waits, on a watch of the virtual node, until the agent annotates this failure-rules version. */
export async function awaitEciAck(kc: KubeConfig, version: string, timeoutMs: number): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = createInformer({
    name: 'virtual-node', kubeConfig: kc, path: '/api/v1/nodes', labelSelector: 'type=virtual-kubelet',
    list: () => core.listNode({ labelSelector: 'type=virtual-kubelet' }),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (nodes.list().some((n) => n.metadata?.annotations?.[ECI_FAILURES_APPLIED] === version)) resolve();
      };
      nodes.on('add', check);
      nodes.on('update', check);
      timer = setTimeout(() => {
        const seen = nodes.list().map((n) => `${n.metadata?.name}: ${n.metadata?.annotations?.[ECI_FAILURES_APPLIED] ?? 'none'}${n.metadata?.annotations?.[ECI_CONFIG_ERROR] ? ` (${n.metadata.annotations[ECI_CONFIG_ERROR]})` : ''}`);
        reject(new Error(`the ECI agent did not apply failure rules ${version} within ${timeoutMs} ms (virtual node annotations: ${seen.join('; ') || 'no virtual node'})`));
      }, timeoutMs);
      nodes.start().then(check, reject);
    });
  } finally {
    clearTimeout(timer);
    await nodes.stop();
  }
}
