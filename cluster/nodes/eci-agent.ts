import { CoreV1Api, KubernetesObjectApi, PatchStrategy, makeInformer, type KubeConfig, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { eciFailureSchema, virtualNodeName, type EciFailure, type NodePools } from './config.ts';
import { drawEciLatency, failureDecider, seededRandom } from './latency.ts';
import { ECI_FAILURE, ECI_FAILURE_MESSAGE, ECI_FAILURE_MODE, ECI_LATENCY, ECI_READY_AT } from './stages.ts';

/** Where a running cluster takes new ECI failure rules: `kubectl -n kube-system edit cm ebbflow-eci`. */
export const ECI_CONFIGMAP = { namespace: 'kube-system', name: 'ebbflow-eci', key: 'failures.json' } as const;

export interface EciAgent {
  /** Pods stamped so far, by outcome. */
  stats(): { started: number; failed: number };
  stop(): Promise<void>;
}

/**
 * Plays the ECI provider: each pod bound to the virtual node gets either a ready time drawn from the
 * seeded latency distribution (scaled by 1/k) or an inventory failure. KWOK's stages act on the
 * stamp, so the decision is made once per pod and survives agent restarts.
 */
export async function startEciAgent(opts: { kubeConfig: KubeConfig; pools: NodePools; compression: number; log: Logger }): Promise<EciAgent> {
  const { kubeConfig: kc, pools, compression: k, log } = opts;
  const vnode = virtualNodeName(pools.eci);
  const core = kc.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const rnd = seededRandom(pools.seed);
  let decider = failureDecider(pools.eci.failures, rnd);
  let started = 0;
  let failed = 0;
  const done = new Set<string>();

  const stamp = async (pod: V1Pod) => {
    const md = pod.metadata;
    if (!md?.name || !md.namespace || md.deletionTimestamp) return;
    const a = md.annotations ?? {};
    const key = `${md.namespace}/${md.name}`;
    if (a[ECI_READY_AT] || a[ECI_FAILURE_MODE] || done.has(key)) return;
    done.add(key);
    const failure = decider.decide(md.name);
    const annotations: Record<string, string> = {};
    if (failure) {
      annotations[ECI_FAILURE] = failure.reason;
      annotations[ECI_FAILURE_MODE] = failure.mode;
      annotations[ECI_FAILURE_MESSAGE] = failure.message;
      failed++;
    } else {
      const latency = drawEciLatency(pools.eci.startLatency, rnd);
      annotations[ECI_LATENCY] = latency.toFixed(3);
      annotations[ECI_READY_AT] = new Date(Date.now() + (latency * 1000) / k).toISOString();
      started++;
    }
    try {
      await objects.patch(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: md.name, namespace: md.namespace, annotations } },
        undefined,
        undefined,
        'ebbflow-eci-agent',
        undefined,
        PatchStrategy.MergePatch,
      );
      log.debug({ pod: key, annotations }, 'eci pod stamped');
    } catch (e) {
      // Deleted meanwhile, or a conflict: the next informer event retries.
      done.delete(key);
      log.debug({ pod: key, err: (e as Error).message }, 'eci stamp failed; will retry');
    }
  };

  const fieldSelector = `spec.nodeName=${vnode}`;
  const pods = makeInformer<V1Pod>(kc, `/api/v1/pods?fieldSelector=${encodeURIComponent(fieldSelector)}`, () =>
    core.listPodForAllNamespaces({ fieldSelector }),
  );
  pods.on('add', (p) => void stamp(p));
  pods.on('update', (p) => void stamp(p));
  pods.on('delete', (p) => done.delete(`${p.metadata?.namespace}/${p.metadata?.name}`));
  pods.on('error', (err) => {
    log.warn({ err: String(err) }, 'pod watch error; restarting');
    setTimeout(() => void pods.start().catch(() => {}), 500);
  });

  const applyConfig = (cm: V1ConfigMap) => {
    const raw = cm.data?.[ECI_CONFIGMAP.key];
    if (!raw) return;
    try {
      const rules: EciFailure = eciFailureSchema.parse(JSON.parse(raw));
      decider = failureDecider(rules, rnd);
      log.info({ rules }, 'eci failure rules updated');
    } catch (e) {
      log.error({ err: (e as Error).message }, `invalid ${ECI_CONFIGMAP.name} ConfigMap; keeping previous rules`);
    }
  };
  const cmSelector = `metadata.name=${ECI_CONFIGMAP.name}`;
  const cms = makeInformer<V1ConfigMap>(
    kc,
    `/api/v1/namespaces/${ECI_CONFIGMAP.namespace}/configmaps?fieldSelector=${encodeURIComponent(cmSelector)}`,
    () => core.listNamespacedConfigMap({ namespace: ECI_CONFIGMAP.namespace, fieldSelector: cmSelector }),
  );
  cms.on('add', applyConfig);
  cms.on('update', applyConfig);
  cms.on('error', () => setTimeout(() => void cms.start().catch(() => {}), 500));

  await Promise.all([pods.start(), cms.start()]);
  return {
    stats: () => ({ started, failed }),
    async stop() {
      await Promise.allSettled([pods.stop(), cms.stop()]);
    },
  };
}

/** Changes the failure rules of a running cluster's ECI agent. */
export async function setEciFailures(kc: KubeConfig, rules: Partial<EciFailure>): Promise<void> {
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
}
