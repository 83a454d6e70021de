import type { CronEngine } from './engine.ts';
import { isRunOnce, jobEquals, jobFactory, type CronHpaJob } from './job.ts';
import { parseSchedule } from './schedule.ts';
import type { CronHpaObject, CronHpaStatus, CronJobSpec, JobCondition, JobState } from './types.ts';

/**
 * The CronHPA controller's sync, client-go style: `reconcileCronHpa(key, deps)` re-expresses
 * upstream's `Reconcile` (pkg/controller/cronhorizontalpodautoscaler_controller.go:74-209 at
 * 31c63bed) over a lister and writers, and `CronManager` its job table (cronmanager.go). No I/O of
 * its own: the controller injects the clients, the tests fakes.
 */

export type EventType = 'Normal' | 'Warning';

export interface CronHpaEventRecorder {
  event(o: CronHpaObject, type: EventType, reason: string, message: string): void;
}

/**
 * cronmanager.go `CronManager`: the jobs by id over the cron engine. `createOrUpdate` adds a new id,
 * replaces a changed one and says `unchanged` otherwise (upstream's `NoNeedUpdate`).
 */
export class CronManager {
  private readonly jobs = new Map<string, CronHpaJob>();
  constructor(private readonly engine: CronEngine<CronHpaJob>) {}

  createOrUpdate(j: CronHpaJob): 'created' | 'updated' | 'unchanged' {
    const had = this.jobs.get(j.id);
    if (had && jobEquals(had, j)) return 'unchanged';
    let schedule;
    try {
      schedule = parseSchedule(j.schedule);
    } catch (e) {
      // cronmanager.go:51-54 / cronexecutor.go:35-41: the engine refuses the plan.
      throw new Error(`${had ? `failed to update job ${j.name} of cronHPA ${j.owner.name} in ${j.owner.namespace} to cronExecutor, because of` : 'Failed to add job to cronExecutor,because of'} ${(e as Error).message}`);
    }
    this.engine.add(j.id, schedule, j);
    this.jobs.set(j.id, j);
    return had ? 'updated' : 'created';
  }

  delete(id: string): void {
    this.engine.remove(id);
    this.jobs.delete(id);
  }

  get(id: string): CronHpaJob | undefined {
    return this.jobs.get(id);
  }

  /** Every job of one CronHPA (`GC`'s view: jobs whose CronHPA is gone are removed). */
  ofOwner(namespace: string, name: string): CronHpaJob[] {
    return [...this.jobs.values()].filter((j) => j.owner.namespace === namespace && j.owner.name === name);
  }

  get size(): number {
    return this.jobs.size;
  }
}

export interface CronHpaListers {
  getCronHpa(namespace: string, name: string): CronHpaObject | undefined;
}

export interface CronHpaWriters {
  /** Replace the object with its new status (upstream `r.Update`: the CRD has no status subresource). */
  update(namespace: string, name: string, o: CronHpaObject): Promise<unknown>;
}

export interface SyncDeps {
  listers: CronHpaListers;
  writers: CronHpaWriters;
  manager: CronManager;
  newId(): string;
  /** Virtual now, for `lastProbeTime`. */
  now(): number;
}

export interface SyncResult {
  outcome: 'ok' | 'deleted';
  /** Job names submitted (new or changed) and removed in this sync. */
  submitted: string[];
  removed: string[];
  wroteStatus: boolean;
}

const sameSet = (a: readonly string[] = [], b: readonly string[] = []) => new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

/** controller.go `checkGlobalParamsChanges`, lines 230-240: a new target or excludeDates resubmits every job. */
export function globalParamsChanged(o: CronHpaObject): boolean {
  const st = o.status?.scaleTargetRef ?? {};
  const sp = o.spec!.scaleTargetRef;
  if (st.kind !== sp.kind || st.apiVersion !== sp.apiVersion || st.name !== sp.name) return true;
  return !sameSet(o.spec!.excludeDates, o.status?.excludeDates);
}

/** The conditions still valid (controller.go:94-143): a job whose schedule, runOnce or targetSize changed, or that left the spec, is dropped from the engine. */
function keptConditions(o: CronHpaObject, manager: CronManager, removed: string[]): JobCondition[] {
  const conditions = o.status?.conditions ?? [];
  if (globalParamsChanged(o)) {
    for (const c of conditions) {
      if (c.jobId) manager.delete(c.jobId);
      removed.push(c.name);
    }
    return [];
  }
  const left: JobCondition[] = [];
  for (const c of conditions) {
    const job = o.spec!.jobs.find((j) => j.name === c.name);
    const same = job && c.schedule === job.schedule && c.runOnce === (job.runOnce ?? false) && c.targetSize === job.targetSize;
    if (same) left.push(c);
    else {
      if (c.jobId) manager.delete(c.jobId);
      removed.push(c.name);
    }
  }
  return left;
}

export async function reconcileCronHpa(key: string, deps: SyncDeps): Promise<SyncResult> {
  const [namespace, name] = key.split('/') as [string, string];
  const found = deps.listers.getCronHpa(namespace, name);
  const result: SyncResult = { outcome: 'ok', submitted: [], removed: [], wroteStatus: false };
  if (!found) {
    // controller.go:80-85 `CronManager.GC`: the jobs of a CronHPA that is gone are removed.
    for (const j of deps.manager.ofOwner(namespace, name)) {
      deps.manager.delete(j.id);
      result.removed.push(j.name);
    }
    return { ...result, outcome: 'deleted' };
  }
  if (!found.spec?.scaleTargetRef || !Array.isArray(found.spec.jobs)) {
    // The CRD requires both; an object without them (an older CRD, no validation) runs no job.
    for (const j of deps.manager.ofOwner(namespace, name)) {
      deps.manager.delete(j.id);
      result.removed.push(j.name);
    }
    return result;
  }
  const o = structuredClone(found);
  const before = o.status?.conditions ?? [];
  const global = globalParamsChanged(o);
  const left = keptConditions(o, deps.manager, result.removed);
  const status: CronHpaStatus = { ...(o.status ?? {}), scaleTargetRef: o.spec!.scaleTargetRef, excludeDates: o.spec!.excludeDates, conditions: [...left] };
  const created: string[] = [];
  let changed = false;
  for (const job of o.spec!.jobs) {
    const condition = submitJob(o, job, left.find((c) => c.name === job.name), deps, created);
    if (!condition) continue;
    changed = true;
    if (condition.state !== 'Failed') result.submitted.push(job.name);
    const i = status.conditions!.findIndex((c) => c.name === condition.name);
    if (i >= 0) status.conditions![i] = condition;
    else status.conditions!.push(condition);
  }
  // controller.go:200-205, plus a changed target or excludeDates, which upstream writes only with a job.
  if (changed || left.length !== before.length || global) {
    try {
      await deps.writers.update(namespace, name, { ...o, status });
    } catch (e) {
      // Upstream logs and forgets the failed write, leaving jobs running whose ids no status names
      // (a later sync submits them again: twice the firings). Here the jobs this sync added are
      // withdrawn and the sync fails, so the queue retries it from the same state.
      for (const id of created) deps.manager.delete(id);
      throw e;
    }
    result.wroteStatus = true;
  }
  return result;
}

/** One job of the spec (controller.go:151-198): its condition to write, or undefined when nothing changed. */
function submitJob(o: CronHpaObject, job: CronJobSpec, kept: JobCondition | undefined, deps: SyncDeps, created: string[]): JobCondition | undefined {
  const base = { name: job.name, schedule: job.schedule, runOnce: job.runOnce ?? false, targetSize: job.targetSize, lastProbeTime: new Date(deps.now()).toISOString() };
  let j: CronHpaJob;
  try {
    j = jobFactory(o, job, kept?.jobId || deps.newId());
  } catch (e) {
    return { ...base, jobId: '', state: 'Failed', message: `Failed to create cron hpa job ${job.name} in ${o.metadata!.name} namespace ${o.metadata!.namespace},because of ${(e as Error).message}` };
  }
  // controller.go:172-180: a run-once job that reached a final state leaves the engine and keeps its condition.
  if (kept && isRunOnce(job) && (kept.state === 'Succeed' || kept.state === 'Failed')) {
    deps.manager.delete(kept.jobId);
    return undefined;
  }
  let outcome;
  try {
    outcome = deps.manager.createOrUpdate(j);
  } catch (e) {
    return { ...base, jobId: j.id, state: 'Failed', message: `Failed to update cron hpa job ${job.name},because of ${(e as Error).message}` };
  }
  if (outcome === 'unchanged') return undefined;
  if (outcome === 'created') created.push(j.id);
  return { ...base, jobId: j.id, state: 'Submitted', message: '' };
}

export interface ResultDeps {
  /** The CronHPA as the API has it now (upstream `client.Get`). */
  get(namespace: string, name: string): Promise<CronHpaObject | undefined>;
  /** Merge-patch its status (upstream `client.Patch` with `MergeFrom`); a missing object rejects with code 404. */
  patchStatus(namespace: string, name: string, status: CronHpaStatus): Promise<unknown>;
  recorder: CronHpaEventRecorder;
  now(): number;
}

/**
 * cronmanager.go `JobResultHandler`, lines 92-160: the job's condition becomes Succeed or Failed with
 * the message, the status is patched (3 tries, cronmanager.go:162-185) and an event whose reason is
 * the state is recorded (Normal, or Warning for Failed); a failed patch is a Warning `Failed` event.
 */
export async function handleJobResult(job: CronHpaJob, outcome: { message: string } | { error: string }, deps: ResultDeps): Promise<JobState | undefined> {
  const instance = await deps.get(job.owner.namespace, job.owner.name).catch(() => undefined);
  if (!instance) return undefined;
  const failed = 'error' in outcome;
  const state: JobState = failed ? 'Failed' : 'Succeed';
  const message = failed ? `cron hpa failed to execute, because of ${outcome.error}` : `cron hpa job ${job.name} executed successfully. ${outcome.message}`;
  const condition: JobCondition = { name: job.name, jobId: job.id, runOnce: job.runOnce, schedule: job.schedule, targetSize: job.targetSize, lastProbeTime: new Date(deps.now()).toISOString(), state, message };
  const conditions = [...(instance.status?.conditions ?? [])];
  const i = conditions.findIndex((c) => c.jobId === job.id || c.name === job.name);
  if (i >= 0) conditions[i] = condition;
  else conditions.push(condition);
  let err: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await deps.patchStatus(job.owner.namespace, job.owner.name, { ...instance.status, conditions });
      err = undefined;
      break;
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      err = e;
    }
  }
  if (err) {
    deps.recorder.event(instance, 'Warning', 'Failed', `Failed to update cronhpa status: ${(err as Error).message ?? String(err)}`);
    return undefined;
  }
  deps.recorder.event(instance, failed ? 'Warning' : 'Normal', state, message);
  return state;
}
