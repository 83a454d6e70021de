import type { V1ConfigMap, V1Job, V1Namespace, V1Node } from '@kubernetes/client-node';
import { UserError } from '../../core/errors.ts';

/**
 * The Kubernetes objects of an on-cluster what-if sweep, pure: the input ConfigMap, the Indexed
 * Job (one shard per completion index) and the temporary namespace; and the reading of the Job's
 * state and pods that the runner (`run.ts`) acts on.
 */

/** Kubernetes refuses a ConfigMap whose data exceeds 1 MiB (the same limit as a Secret). */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
export const INPUT_KEY = 'input.json.gz';
export const INPUT_DIR = '/input';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const SWEEP_LABEL = 'ebbflow.io/whatif-sweep';
export const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

export interface SweepJobSpec {
  /** A DNS label naming the Job, the ConfigMap and the value of the sweep label. */
  name: string;
  namespace: string;
  image: string;
  shards: number;
  /** gzip of the shard input (`simulator/whatif-shard.ts`). */
  input: Buffer;
  backoffLimit: number;
  activeDeadlineSeconds: number;
  ttlSecondsAfterFinished: number;
}

export function checkInputSize(bytes: number): void {
  if (bytes > CONFIGMAP_LIMIT_BYTES) {
    throw new UserError(
      `the sweep input is ${(bytes / 1024 / 1024).toFixed(2)} MiB compressed, over the 1 MiB a ConfigMap may hold`,
      'a shorter curve (curve.day picks one day of a long export), or run the sweep locally without --on-cluster',
    );
  }
}

const labels = (name: string) => ({ 'app.kubernetes.io/name': 'ebbflow', [COMPONENT_LABEL]: 'whatif-shard', [SWEEP_LABEL]: name });

export function namespaceObject(name: string): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/name': 'ebbflow', 'app.kubernetes.io/managed-by': 'ebbflow-whatif' } } };
}

export function inputConfigMap(s: SweepJobSpec): V1ConfigMap {
  checkInputSize(s.input.length);
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: s.name, namespace: s.namespace, labels: labels(s.name) }, binaryData: { [INPUT_KEY]: s.input.toString('base64') } };
}

/** Declarative template (one object literal), hence its length. */
export function sweepJob(s: SweepJobSpec): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: s.name, namespace: s.namespace, labels: labels(s.name) },
    spec: {
      completionMode: 'Indexed',
      completions: s.shards,
      parallelism: s.shards,
      backoffLimit: s.backoffLimit,
      activeDeadlineSeconds: s.activeDeadlineSeconds,
      ttlSecondsAfterFinished: s.ttlSecondsAfterFinished,
      template: {
        metadata: { labels: labels(s.name) },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 },
          containers: [
            {
              name: 'shard',
              image: s.image,
              imagePullPolicy: 'IfNotPresent',
              // The Job controller sets JOB_COMPLETION_INDEX; the kubelet expands $(VAR) in args.
              args: ['--input', `${INPUT_DIR}/${INPUT_KEY}`, '--shard', `$(JOB_COMPLETION_INDEX)/${s.shards}`],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'input', mountPath: INPUT_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: 'input', configMap: { name: s.name } }],
        },
      },
    },
  };
}

/** Where a Job stands: shards done, and a failure's reason when it has failed. */
export function jobProgress(job: V1Job): { succeeded: number; total: number; failed?: string } {
  const total = job.spec?.completions ?? 0;
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  return { succeeded: job.status?.succeeded ?? 0, total, ...(failed ? { failed: `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`.trim() } : {}) };
}

/** One succeeded pod per completion index (a retried index has failed pods beside it). */
export function podsByIndex(pods: { name: string; phase?: string; index?: string }[], shards: number): string[] {
  const out: string[] = [];
  for (const p of pods) {
    const i = Number(p.index);
    if (p.phase === 'Succeeded' && Number.isInteger(i) && i >= 0 && i < shards && out[i] === undefined) out[i] = p.name;
  }
  for (let i = 0; i < shards; i++) if (out[i] === undefined) throw new Error(`no succeeded pod for completion index ${i}`);
  return out;
}

/** The default shard count: the nodes a shard can run on (Ready, schedulable, no NoSchedule taint). */
export function usableNodes(nodes: V1Node[]): number {
  return nodes.filter(
    (n) =>
      !n.spec?.unschedulable &&
      !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

/** The API server's own message of a client-node error (its body is the Status object, often as a string). */
export function apiErrorMessage(e: unknown): string {
  const err = e as { body?: unknown; message?: string } | undefined;
  let body = err?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      // Not a Status: fall back to the error's message.
    }
  }
  const m = (body as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m : (err?.message ?? String(e));
}
