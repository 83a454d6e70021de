import { isTodayOff, planHpaEdit, planPlainScale } from './rules.ts';
import type { CronHpaObject, CronJobSpec, ScaleTargetRef } from './types.ts';

/**
 * One CronHPA job and what it does when it fires: pkg/controller/cronjob.go at 31c63bed
 * (`CronJobHPA`, `Run`, `ScaleHPA`, `ScalePlainRef`, `CronHPAJobFactory`), the API behind an
 * interface so the tests run it on a fake.
 */

/** cronjob.go `TargetRef`. */
export interface TargetRef {
  name: string;
  namespace: string;
  kind: string;
  group: string;
  version: string;
}

export interface CronHpaJob {
  id: string;
  name: string;
  schedule: string;
  targetSize: number;
  runOnce: boolean;
  ref: TargetRef;
  excludeDates: string[] | undefined;
  /** The CronHPA it belongs to (cronjob.go `HPARef`). */
  owner: { namespace: string; name: string };
}

/** The HPA fields a job reads and writes (upstream reads autoscaling/v1; v2 has the same ones and keeps the metrics). */
export interface HpaObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { minReplicas?: number; maxReplicas?: number; scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } };
  status?: { currentReplicas?: number };
}

/** What a job needs of the API: the HPA, and the scale subresource of a kind found by discovery. */
export interface ScaleApi {
  getHpa(namespace: string, name: string): Promise<HpaObject>;
  /** Replace the HPA (upstream `client.Update`: the whole object, a stale resourceVersion fails with 409). */
  updateHpa(namespace: string, hpa: HpaObject): Promise<void>;
  /** `scale.spec.replicas` of the object (upstream: every REST mapping of the group/kind is tried). */
  getScale(namespace: string, ref: { apiVersion: string; kind: string; name: string }): Promise<number>;
  setScale(namespace: string, ref: { apiVersion: string; kind: string; name: string }, replicas: number): Promise<void>;
}

export interface RunOptions {
  api: ScaleApi;
  /** Virtual epoch ms now (excludeDates' "today"). */
  now(): number;
  timeZone: string;
  /** cronjob.go `updateRetryInterval` 3 s and `maxRetryTimeout` 10 s, in wall ms (a replay divides them by k). */
  retryIntervalMs?: number;
  retryTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  wallNow?: () => number;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** cronjob.go `checkRefValid`: every part of the reference must be set. */
export class InvalidRefError extends Error {}

/**
 * cronjob.go `CronHPAJobFactory`, lines 274-305: the job of one `spec.jobs[]` entry. Upstream splits
 * `apiVersion` on "/" and indexes [1], which panics on a core `v1`; here that is the same refusal as
 * any other empty part of the reference.
 */
export function jobFactory(instance: CronHpaObject, job: CronJobSpec, id: string): CronHpaJob {
  const ref = instance.spec?.scaleTargetRef ?? ({} as Partial<ScaleTargetRef>);
  const [group = '', version = ''] = (ref.apiVersion ?? '').split('/');
  const target: TargetRef = { name: ref.name ?? '', namespace: instance.metadata?.namespace ?? '', kind: ref.kind ?? '', group, version };
  if (!target.version || !target.group || !target.name || !target.namespace || !target.kind) throw new InvalidRefError('any properties in ref could not be empty');
  return {
    id,
    name: job.name,
    schedule: job.schedule,
    targetSize: job.targetSize,
    runOnce: job.runOnce ?? false,
    ref: target,
    excludeDates: instance.spec?.excludeDates,
    owner: { namespace: instance.metadata!.namespace!, name: instance.metadata!.name! },
  };
}

const refString = (r: TargetRef) => `${r.name}:${r.namespace}:${r.kind}:${r.group}:${r.version}`;

/** cronjob.go `Equals`, lines 79-85: same id, schedule and target (a resubmitted job has a new id). */
export const jobEquals = (a: CronHpaJob, b: CronHpaJob) => a.id === b.id && a.schedule === b.schedule && refString(a.ref) === refString(b.ref);

/** controller.go `runOnce`, lines 242-247: `runOnce`, or a `@date` schedule. */
export const isRunOnce = (job: Pick<CronJobSpec, 'schedule' | 'runOnce'>) => job.schedule.includes('@date ') || job.runOnce === true;

/**
 * cronjob.go `Run`, lines 99-132: skip on an excluded day, else scale through the HPA (kind
 * HorizontalPodAutoscaler) or the target's scale subresource, retrying every 3 s for 10 s.
 * Resolves with the message, rejects with upstream's error text.
 */
export async function runJob(job: CronHpaJob, o: RunOptions): Promise<string> {
  const off = isTodayOff(job.excludeDates, o.now(), o.timeZone);
  if (off.off) return off.message;
  const wallNow = o.wallNow ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = wallNow();
  let times = 0;
  let last: unknown;
  for (;;) {
    if (start + (o.retryTimeoutMs ?? 10_000) < wallNow()) {
      throw new Error(`failed to scale ${job.ref.kind} ${job.ref.name} in ${job.ref.namespace} namespace to ${job.targetSize} after retrying ${times} times and exit,because of ${errText(last)}`);
    }
    try {
      return job.ref.kind === 'HorizontalPodAutoscaler' ? await scaleHpa(job, o.api) : await scalePlainRef(job, o.api);
    } catch (e) {
      last = e;
    }
    await sleep(o.retryIntervalMs ?? 3000);
    times++;
  }
}

/** cronjob.go `ScaleHPA`, lines 134-222: the bounds edit of `planHpaEdit`, then /scale when the workload runs fewer. */
export async function scaleHpa(job: CronHpaJob, api: ScaleApi): Promise<string> {
  const ns = job.ref.namespace;
  let hpa: HpaObject;
  try {
    hpa = await api.getHpa(ns, job.ref.name);
  } catch (e) {
    throw new Error(`Failed to get HorizontalPodAutoscaler Ref,because of ${errText(e)}`);
  }
  const t = hpa.spec?.scaleTargetRef ?? {};
  const target = { apiVersion: t.apiVersion ?? '', kind: t.kind ?? '', name: t.name ?? '' };
  let scaleReplicas: number;
  try {
    scaleReplicas = await api.getScale(ns, target);
  } catch (e) {
    throw new Error(`failed to found source target ${job.ref.kind} ${job.ref.name} in ${ns} namespace, err is ${errText(e)}`);
  }
  const edit = planHpaEdit(
    { minReplicas: hpa.spec?.minReplicas ?? 1, maxReplicas: hpa.spec?.maxReplicas ?? 0, currentReplicas: hpa.status?.currentReplicas ?? 0, scaleReplicas },
    job.targetSize,
    { hpa: hpa.metadata?.name ?? job.ref.name, namespace: ns },
  );
  if (edit.bounds) await api.updateHpa(ns, { ...hpa, spec: { ...hpa.spec, ...edit.bounds } });
  if (edit.scaleTo === undefined) return edit.message;
  try {
    await api.setScale(ns, target, edit.scaleTo);
  } catch (e) {
    throw new Error(`failed to scale ${job.ref.kind} ${job.ref.name} in ${ns} namespace to ${job.targetSize}, because of ${errText(e)}`);
  }
  return edit.message;
}

/** cronjob.go `ScalePlainRef`, lines 224-261: the target's scale subresource set to the target, down as well as up. */
export async function scalePlainRef(job: CronHpaJob, api: ScaleApi): Promise<string> {
  const ns = job.ref.namespace;
  const ref = { apiVersion: `${job.ref.group}/${job.ref.version}`, kind: job.ref.kind, name: job.ref.name };
  let current: number;
  try {
    current = await api.getScale(ns, ref);
  } catch {
    throw new Error(`failed to find source target ${job.ref.kind} ${job.ref.name} in ${ns} namespace`);
  }
  const plan = planPlainScale(current, job.targetSize);
  try {
    await api.setScale(ns, ref, plan.scaleTo);
  } catch (e) {
    throw new Error(`failed to scale ${job.ref.kind} ${job.ref.name} in ${ns} namespace to ${job.targetSize}, because of ${errText(e)}`);
  }
  return plan.message;
}
