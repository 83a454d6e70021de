import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { Interrupted, withStack, type Component } from '../../core/component.ts';
import { UserError } from '../../core/errors.ts';
import { sleep } from '../../core/wait.ts';
import type { SweepRow } from '../../simulator/sweep.ts';
import { encodeShardInput, mergeShards, parseShardOutput, type DecodedShardInput } from '../../simulator/whatif-shard.ts';
import { apiErrorMessage, checkInputSize, INDEX_ANNOTATION, inputConfigMap, jobProgress, namespaceObject, podsByIndex, sweepJob, SWEEP_LABEL, usableNodes, type SweepJobSpec } from './job.ts';
import { imageExists } from '../../cluster/kind/images.ts';
import { detectKindCluster, ensureToolImage, loadIntoKind } from './image.ts';

/** Where and how an Indexed Job runs. */
export interface JobRunOptions {
  kubeconfig: string;
  namespace?: string;
  image?: string;
  loadIntoKind?: string;
  shards?: number;
  backoffLimit?: number;
  deadlineSeconds?: number;
  ttlSeconds?: number;
  signal?: AbortSignal;
  progress?: (done: number, total: number) => void;
  log?: (line: string) => void;
}

/** The sweep (what each shard decodes) and where to run it. */
export interface OnClusterOptions extends DecodedShardInput, JobRunOptions {}

/** Container states that never end by themselves: fail at once instead of waiting for the deadline. */
const STUCK = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

async function connect(kubeconfig: string): Promise<{ kc: KubeConfig; core: CoreV1Api; batch: BatchV1Api; nodes: number }> {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(kubeconfig);
  } catch (e) {
    throw new UserError(`--kubeconfig ${kubeconfig}: cannot read it (${(e as Error).message})`, 'give the kubeconfig file of the cluster to run the sweep on');
  }
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = await core.listNode().catch((e: unknown) => {
    throw new UserError(`--kubeconfig ${kubeconfig}: cannot reach the cluster at ${kc.getCurrentCluster()?.server ?? '(no server)'} (${apiErrorMessage(e)})`, 'check the cluster is up and the kubeconfig\'s context (kubectl --kubeconfig K get nodes)');
  });
  return { kc, core, batch: kc.makeApiClient(BatchV1Api), nodes: usableNodes(nodes.items) };
}

/**
 * The image the Job runs: `--image` as given, or the tool image built here and `kind load`ed into
 * the kind cluster (named, or detected from the context). A given image goes into a detected kind
 * cluster only if this machine's Docker has it; otherwise it is a registry's and the cluster pulls it.
 */
async function resolveImage(o: JobRunOptions, context: string | undefined): Promise<string> {
  const detected = o.loadIntoKind ? undefined : await detectKindCluster(context);
  const kind = o.loadIntoKind ?? (detected && (!o.image || (await imageExists(o.image))) ? detected : undefined);
  if (!kind && o.image) return o.image;
  const image = o.image ?? (await ensureToolImage({ progress: o.log }));
  if (!kind) {
    throw new UserError(
      `--on-cluster: the cluster of context "${context}" is not a kind cluster of this machine, so it cannot see the tool image ${image} built here`,
      `docker tag ${image} <registry>/${image} && docker push <registry>/${image} (a registry the cluster pulls from), then pass --image <registry>/${image}; for a kind cluster, --load-into-kind <name>`,
    );
  }
  o.log?.(`kind load docker-image ${image} --name ${kind}`);
  await loadIntoKind(kind, image);
  return image;
}

/** A namespaced object created at start and deleted at stop; a 404 at stop is already gone. */
function apiObject(name: string, create: () => Promise<unknown>, remove: () => Promise<unknown>): Component {
  let created = false;
  return {
    name,
    async start() {
      await create();
      created = true;
    },
    async stop() {
      if (!created) return;
      await remove().catch((e: unknown) => {
        if ((e as { code?: number }).code !== 404) throw e;
      });
      created = false;
    },
  };
}

function stuckReason(pods: V1Pod[]): string | undefined {
  for (const p of pods) {
    for (const s of p.status?.containerStatuses ?? []) {
      const w = s.state?.waiting;
      if (w?.reason && STUCK.has(w.reason)) return `pod ${p.metadata?.name}: ${w.reason}${w.message ? ` (${w.message})` : ''}`;
    }
  }
  return undefined;
}

/** Waits for the Job to complete, reporting shards done; fails fast on a failed Job or a pod that cannot start. */
async function awaitJob(core: CoreV1Api, batch: BatchV1Api, spec: SweepJobSpec, image: string, o: JobRunOptions): Promise<void> {
  let last = -1;
  for (;;) {
    if (o.signal?.aborted) throw new Interrupted('interrupted while the sweep Job ran');
    const job = await batch.readNamespacedJob({ name: spec.name, namespace: spec.namespace });
    const p = jobProgress(job);
    if (p.succeeded !== last) o.progress?.((last = p.succeeded), p.total);
    if (p.failed) throw new Error(`the sweep Job ${spec.namespace}/${spec.name} failed: ${p.failed}${await failedLogs(core, spec)}`);
    if (p.succeeded >= p.total) return;
    const pods = await core.listNamespacedPod({ namespace: spec.namespace, labelSelector: `${SWEEP_LABEL}=${spec.name}` });
    const stuck = stuckReason(pods.items);
    if (stuck) throw new UserError(`the sweep Job's pods cannot start: ${stuck}`, `the cluster must be able to pull ${image}: push it to its registry and pass --image, or --load-into-kind <cluster> for kind`);
    await sleep(1000, o.signal);
  }
}

async function failedLogs(core: CoreV1Api, spec: SweepJobSpec): Promise<string> {
  const pods = await core.listNamespacedPod({ namespace: spec.namespace, labelSelector: `${SWEEP_LABEL}=${spec.name}` }).catch(() => ({ items: [] as V1Pod[] }));
  const failed = pods.items.find((p) => p.status?.phase === 'Failed');
  if (!failed?.metadata?.name) return '';
  const log = await core.readNamespacedPodLog({ name: failed.metadata.name, namespace: spec.namespace, container: 'shard', tailLines: 20 }).catch(() => '');
  return `\nlast lines of ${failed.metadata.name}:\n${log}`;
}

/** Every index's succeeded pod log, in index order, each with where it came from. */
async function gather(core: CoreV1Api, spec: SweepJobSpec): Promise<{ log: string; where: string }[]> {
  const pods = await core.listNamespacedPod({ namespace: spec.namespace, labelSelector: `${SWEEP_LABEL}=${spec.name}` });
  const names = podsByIndex(pods.items.map((p) => ({ name: p.metadata!.name!, phase: p.status?.phase, index: p.metadata?.annotations?.[INDEX_ANNOTATION] })), spec.shards);
  return Promise.all(names.map(async (name) => ({ log: await core.readNamespacedPodLog({ name, namespace: spec.namespace, container: 'shard' }), where: `pod ${spec.namespace}/${name}` })));
}

/** An Indexed Job's run: the input the tool image's shards read, for what, and at most how many shards make sense. */
export interface IndexedJobInput {
  /** gzip of the input document. */
  input: Buffer;
  /** Names the Job (`ebbflow-<what>-<hex>`). */
  what: 'whatif' | 'advise';
  /** The default shard count is the usable nodes, at most this. */
  maxShards: number;
  /** For the log line, e.g. "12 configurations". */
  work: string;
}

/** The result of an Indexed Job: each completion index's log, in index order. */
export interface IndexedJobResult {
  logs: { log: string; where: string }[];
  shards: number;
  image: string;
  namespace: string;
  job: string;
}

/** Runs the tool image as an Indexed Job over `input` and answers every index's log; an abort or a failure deletes what it created. */
export type IndexedJobRunner = (o: JobRunOptions & IndexedJobInput) => Promise<IndexedJobResult>;

export const runIndexedJob: IndexedJobRunner = async (o) => {
  checkInputSize(o.input.length);
  const { kc, core, batch, nodes } = await connect(o.kubeconfig);
  if (o.namespace) {
    await core.readNamespace({ name: o.namespace }).catch((e: unknown) => {
      throw new UserError(`--namespace ${o.namespace}: ${apiErrorMessage(e)}`, 'create it first, or leave --namespace out and ebbflow makes (and deletes) a temporary one');
    });
  }
  const tImage = performance.now();
  const image = await resolveImage(o, kc.getCurrentContext());
  o.log?.(`image ${image} ready in ${((performance.now() - tImage) / 1000).toFixed(1)} s`);
  const name = `ebbflow-${o.what}-${randomBytes(4).toString('hex')}`;
  const shards = o.shards ?? Math.max(1, Math.min(nodes, o.maxShards));
  const spec: SweepJobSpec = { name, namespace: o.namespace ?? name, image, shards, input: o.input, backoffLimit: o.backoffLimit ?? 3, activeDeadlineSeconds: o.deadlineSeconds ?? 3600, ttlSecondsAfterFinished: o.ttlSeconds ?? 600 };
  const ns = spec.namespace;
  const parts: Component[] = [
    ...(o.namespace ? [] : [apiObject(`namespace ${ns}`, () => core.createNamespace({ body: namespaceObject(ns) }), () => core.deleteNamespace({ name: ns }))]),
    apiObject(`configmap ${ns}/${name}`, () => core.createNamespacedConfigMap({ namespace: ns, body: inputConfigMap(spec) }), () => core.deleteNamespacedConfigMap({ name, namespace: ns })),
    apiObject(`job ${ns}/${name}`, () => batch.createNamespacedJob({ namespace: ns, body: sweepJob(spec) }), () => batch.deleteNamespacedJob({ name, namespace: ns, propagationPolicy: 'Background' })),
  ];
  o.log?.(`Indexed Job ${ns}/${name}: ${o.work} in ${shards} shards, image ${image}`);
  const { value, stopFailures } = await withStack({ ...(o.signal ? { signal: o.signal } : {}), progress: (c, m) => o.log?.(`${c}: ${m}`) }, async (stack) => {
    await stack.upAll(parts);
    const t0 = performance.now();
    await awaitJob(core, batch, spec, image, o);
    const t1 = performance.now();
    const logs = await gather(core, spec);
    o.log?.(`${shards} shards done ${((t1 - t0) / 1000).toFixed(1)} s after the Job was created; logs read in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
    return logs;
  });
  for (const f of stopFailures) o.log?.(`warning: could not delete ${f.component}: ${apiErrorMessage(f.error)}`);
  return { logs: value, shards, image, namespace: ns, job: name };
};

/**
 * `whatif --on-cluster`: the sweep as an Indexed Job, one shard per completion index; the shards'
 * rows come back through the pods' logs and are merged into the rows the local sweep returns.
 */
export async function runOnCluster(o: OnClusterOptions): Promise<{ rows: SweepRow[]; shards: number; image: string; namespace: string; job: string }> {
  const input = gzipSync(encodeShardInput({ scenario: o.scenario, manifests: o.manifests, vary: o.vary, ...(o.days !== undefined ? { days: o.days } : {}), ...(o.growth !== undefined ? { growth: o.growth } : {}) }), { level: 9 });
  const r = await runIndexedJob({ ...o, input, what: 'whatif', maxShards: o.configs.length, work: `${o.configs.length} configurations` });
  const rows = mergeShards(o.configs, r.logs.map((l) => parseShardOutput(l.log, l.where)));
  return { rows, shards: r.shards, image: r.image, namespace: r.namespace, job: r.job };
}
