import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { eciFailureSchema, type EciFailure, type EciLatency } from './config.ts';
import { drawEciLatency, failureDecider, type FailureDecider } from './latency.ts';
import { ECI_FAILURE, ECI_FAILURE_MESSAGE, ECI_FAILURE_MODE, ECI_LATENCY, ECI_READY_AT } from './stages.ts';

/**
 * The ECI agent's decisions, without I/O: which stamp a pod bound to the virtual node gets (a ready
 * time drawn from the seeded latency distribution, scaled by 1/k, or an inventory failure), and which
 * failure rules a ConfigMap holds. The agent (eci-agent.ts) injects the pod patcher.
 */

/** Where a running cluster takes new ECI failure rules: `kubectl -n kube-system edit cm ebbflow-eci`. */
export const ECI_CONFIGMAP = { namespace: 'kube-system', name: 'ebbflow-eci', key: 'failures.json' } as const;
/** On the virtual node: the version of the failure rules the agent applies now (acknowledgement). */
export const ECI_FAILURES_APPLIED = 'ebbflow.io/eci-failures-applied';
/** On the virtual node: the version of the start-latency distribution the agent draws from. */
export const ECI_LATENCY_APPLIED = 'ebbflow.io/eci-latency-applied';
/** On the virtual node: why the last failure-rules ConfigMap was refused (empty when it was not). */
export const ECI_CONFIG_ERROR = 'ebbflow.io/eci-config-error';

/** A short content version of a config: the same rules give the same version on both sides. */
export function configVersion(config: EciFailure | EciLatency): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

export interface EciStampState {
  latency: EciLatency;
  compression: number;
  rnd: () => number;
  decider: FailureDecider;
  /** Pods stamped (or being stamped) by this agent, `ns/name`. */
  done: Set<string>;
  started: number;
  failed: number;
}

export function newStampState(latency: EciLatency, failures: EciFailure, compression: number, rnd: () => number): EciStampState {
  return { latency, compression, rnd, decider: failureDecider(failures, rnd), done: new Set(), started: 0, failed: 0 };
}

/** The annotations to stamp on this pod, or undefined when it needs none (stamped, deleting, seen). */
export function decideStamp(pod: V1Pod, s: EciStampState, nowMs: number): Record<string, string> | undefined {
  const md = pod.metadata;
  if (!md?.name || !md.namespace || md.deletionTimestamp) return undefined;
  const a = md.annotations ?? {};
  if (a[ECI_READY_AT] || a[ECI_FAILURE_MODE] || s.done.has(`${md.namespace}/${md.name}`)) return undefined;
  const failure = s.decider.decide(md.name);
  if (failure) {
    s.failed++;
    return { [ECI_FAILURE]: failure.reason, [ECI_FAILURE_MODE]: failure.mode, [ECI_FAILURE_MESSAGE]: failure.message };
  }
  const latency = drawEciLatency(s.latency, s.rnd);
  s.started++;
  return { [ECI_LATENCY]: latency.toFixed(3), [ECI_READY_AT]: new Date(nowMs + (latency * 1000) / s.compression).toISOString() };
}

export type StampOutcome = 'stamped' | 'skipped' | 'retry';

/**
 * Stamps one pod once. A failed patch (deleted meanwhile, a conflict, the API away) forgets the pod,
 * so its next informer event tries again; the decision is drawn again then, as before.
 */
export async function syncEciPod(
  pod: V1Pod,
  s: EciStampState,
  patch: (namespace: string, name: string, annotations: Record<string, string>) => Promise<unknown>,
  nowMs: number,
): Promise<{ outcome: StampOutcome; annotations?: Record<string, string>; error?: unknown }> {
  const annotations = decideStamp(pod, s, nowMs);
  if (!annotations) return { outcome: 'skipped' };
  const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
  s.done.add(key);
  try {
    await patch(pod.metadata!.namespace!, pod.metadata!.name!, annotations);
    return { outcome: 'stamped', annotations };
  } catch (error) {
    s.done.delete(key);
    if (annotations[ECI_FAILURE_MODE]) s.failed--;
    else s.started--;
    return { outcome: 'retry', annotations, error };
  }
}

export type EciConfigResult = { rules: EciFailure; version: string } | { error: string } | undefined;

/** The failure rules in the agent's ConfigMap, validated; undefined when it holds none. */
export function parseEciConfig(cm: V1ConfigMap): EciConfigResult {
  const raw = cm.data?.[ECI_CONFIGMAP.key];
  if (!raw) return undefined;
  try {
    const rules = eciFailureSchema.parse(JSON.parse(raw));
    return { rules, version: configVersion(rules) };
  } catch (e) {
    return { error: `${ECI_CONFIGMAP.namespace}/${ECI_CONFIGMAP.name} ${ECI_CONFIGMAP.key}: ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 300)}` };
  }
}
