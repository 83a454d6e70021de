import { checkTimeZone, isTodayOff, nextFire, parseSchedule, planHpaEdit, ScheduleError, type CronSchedule } from '../../../cluster/cronhpa/index.ts';
import { UserError } from '../../../core/errors.ts';
import { idOf, specOf } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { ScalerSimulation, SimulationNote } from '../../model/scaler.ts';

/**
 * The CronHPA as the simulator models it, with the controller's own rules (`cluster/cronhpa`):
 * the schedule language, `planHpaEdit` (upstream `ScaleHPA`), `isTodayOff` (`excludeDates`).
 */

export interface CronHpaJobModel {
  name: string;
  schedule: CronSchedule;
  targetSize: number;
  /** `runOnce`, or a `@date` schedule: it leaves the engine after its first firing. */
  runOnce: boolean;
}

export interface CronHpaModel {
  name: string;
  namespace: string;
  /** The name `scaleTargetRef` gives (the HPA's, in upstream's messages). */
  targetName: string;
  /** What `scaleTargetRef` names: the HPA (its bounds are edited) or the HPA's target (its replicas are set). */
  target: 'scaler' | 'workload';
  jobs: CronHpaJobModel[];
  excludeDates: string[];
  timeZone: string;
}

interface CronHpaObjectSpec {
  scaleTargetRef?: { kind?: string; name?: string };
  excludeDates?: unknown;
  jobs?: { name?: unknown; schedule?: unknown; targetSize?: unknown; runOnce?: unknown }[];
}

/** The object as numbers; every refusal names the source, the object and the field. */
export function numericCronHpa(o: KubeObject, source: string, timeZone: string): CronHpaModel {
  const spec = specOf(o) as CronHpaObjectSpec;
  const at = (field: string) => `${source}: ${idOf(o)}: ${field}`;
  try {
    checkTimeZone(timeZone);
  } catch (e) {
    throw new UserError(`${source}: time zone: ${(e as Error).message}`);
  }
  const schedule = (s: unknown, field: string) => {
    if (typeof s !== 'string') throw new UserError(`${at(field)}: must be a string`);
    try {
      return parseSchedule(s);
    } catch (e) {
      if (e instanceof ScheduleError) throw new UserError(`${at(field)}: ${e.message}`, 'six fields "sec min hour dom month dow", a descriptor such as @daily, or @date YYYY-MM-DD HH:MM:SS');
      throw e;
    }
  };
  if (!Array.isArray(spec.jobs) || spec.jobs.length === 0) throw new UserError(`${at('spec.jobs')}: at least one job is required`);
  const names = new Set<string>();
  const jobs = spec.jobs.map((j, i) => {
    if (typeof j.name !== 'string' || !j.name) throw new UserError(`${at(`spec.jobs[${i}].name`)}: required`);
    if (names.has(j.name)) throw new UserError(`${at(`spec.jobs[${i}].name`)}: "${j.name}" is used twice (upstream keys conditions by name)`);
    names.add(j.name);
    if (!Number.isInteger(j.targetSize) || (j.targetSize as number) < 0) throw new UserError(`${at(`spec.jobs[${i}].targetSize`)}: must be a whole number ≥ 0, got ${JSON.stringify(j.targetSize)}`);
    const s = schedule(j.schedule, `spec.jobs[${i}].schedule`);
    return { name: j.name, schedule: s, targetSize: j.targetSize as number, runOnce: j.runOnce === true || (j.schedule as string).includes('@date ') };
  });
  const excludeDates = spec.excludeDates === undefined ? [] : spec.excludeDates;
  if (!Array.isArray(excludeDates)) throw new UserError(`${at('spec.excludeDates')}: must be a list of cron expressions`);
  // Upstream skips an unparsable exclude date at run time; a run refuses it up front so it is fixed, not ignored.
  excludeDates.forEach((d, i) => schedule(d, `spec.excludeDates[${i}]`));
  return { name: o.metadata.name, namespace: o.metadata.namespace ?? 'default', targetName: spec.scaleTargetRef?.name ?? '', target: spec.scaleTargetRef?.kind === 'HorizontalPodAutoscaler' ? 'scaler' : 'workload', jobs, excludeDates: excludeDates as string[], timeZone };
}

/**
 * The scaler's simulation with the CronHPA's jobs over it. A job is due from the first whole second
 * after the run's start that its schedule names (the controller submits its jobs when the replay
 * starts, and a cron engine never fires the past); the firings due at a sync run before it, in the
 * order of their times and then of the spec, each once however many it missed (the engine
 * collapses them); then the scaler decides with the bounds and replicas they left.
 */
export class CronHpaSimulation implements ScalerSimulation {
  rescale = false;
  rescaleReason: string | undefined;
  readonly notes: SimulationNote[] = [];
  /** The jobs the last `fire` ran. */
  private fired: string[] = [];
  private next: (number | undefined)[] | undefined;
  /** The earliest next firing: syncs before it are the scaler's own. */
  private due = -Infinity;

  constructor(private readonly spec: CronHpaModel, private readonly inner: ScalerSimulation, private readonly bounds: { minReplicas: number; maxReplicas: number }) {}

  get quietNeedsReady(): boolean {
    return this.inner.quietNeedsReady;
  }

  private start(nowMs: number): void {
    this.next = this.spec.jobs.map((j) => nextFire(j.schedule, nowMs, this.spec.timeZone));
    this.due = Math.min(...this.next.map((n) => n ?? Infinity));
  }

  quiet(now: number, current: number, value: number, readyPods: number): boolean {
    if (this.next === undefined) this.start(now * 1000);
    if (now * 1000 >= this.due) return false;
    const q = this.inner.quiet(now, current, value, readyPods);
    if (q) this.rescale = false;
    return q;
  }

  decide(now: number, current: number, readyPods: number, value: number): number {
    const nowMs = now * 1000;
    if (this.next === undefined) this.start(nowMs);
    this.fired = [];
    const replicas = nowMs >= this.due ? this.fire(nowMs, current) : current;
    const desired = this.inner.decide(now, replicas, readyPods, value);
    this.rescale = desired !== current;
    // The controller scaled the target itself and the HPA kept it: kcm records no rescale of its own.
    this.rescaleReason = this.rescale && replicas !== current && desired === replicas ? `cron hpa job ${this.fired.join(', ')}` : undefined;
    return desired;
  }

  settle(now: number, value: number): number {
    return this.inner.settle(now, value);
  }

  /** Every job due at `nowMs`, earliest first: the replicas they leave. */
  private fire(nowMs: number, current: number): number {
    const next = this.next!;
    const order = next.map((n, i) => [n, i] as const).filter(([n]) => n !== undefined && n <= nowMs).sort((a, b) => a[0]! - b[0]! || a[1] - b[1]);
    let replicas = current;
    for (const [, i] of order) {
      const job = this.spec.jobs[i]!;
      next[i] = job.runOnce ? undefined : nextFire(job.schedule, nowMs, this.spec.timeZone);
      const before = replicas;
      replicas = this.run(job, nowMs, replicas);
      if (replicas !== before) this.fired.push(job.name);
    }
    this.due = Math.min(...next.map((n) => n ?? Infinity));
    return replicas;
  }

  /**
   * One firing (upstream `Run`): skip on an excluded day, else edit the HPA's bounds or set the
   * replicas. Noted with the event the controller records (`JobResultHandler`'s reason and message).
   */
  private run(job: CronHpaJobModel, nowMs: number, current: number): number {
    const note = (message: string) => this.notes.push({ t: nowMs, object: this.spec.name, reason: 'Succeed', message: `cron hpa job ${job.name} executed successfully. ${message}` });
    const off = isTodayOff(this.spec.excludeDates, nowMs, this.spec.timeZone);
    if (off.off) {
      note(off.message);
      return current;
    }
    if (this.spec.target === 'workload') {
      note(`current replicas:${current}, desired replicas:${job.targetSize}.`);
      return job.targetSize;
    }
    const edit = planHpaEdit({ ...this.bounds, currentReplicas: current }, job.targetSize, { hpa: this.spec.targetName, namespace: this.spec.namespace });
    if (edit.bounds) {
      this.bounds.minReplicas = edit.bounds.minReplicas;
      this.bounds.maxReplicas = edit.bounds.maxReplicas;
    }
    note(edit.message);
    return edit.scaleTo ?? current;
  }
}
