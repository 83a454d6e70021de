import { isTodayOff, planHpaEdit } from '../cluster/cronhpa/rules.ts';
import { nextFire, parseSchedule, ScheduleError } from '../cluster/cronhpa/schedule.ts';
import type { TimelineSample } from '../core/timeline/format.ts';
import type { KubeObject } from '../kinds/model/objects.ts';
import { clock, counterExample, dayStart, fmt, type Finding, type LintContext, type Rule } from './model.ts';

/**
 * CronHPA and HPA in conflict, over the pure CronHPA rules (`cluster/cronhpa`): the jobs' firings
 * in the simulated windows (schedule and excludeDates in the controller's time zone), applied to
 * the HPA the simulation ran. The simulator does not run a CronHPA yet, so the held replicas are
 * the simulated HPA's desired count clamped to the bounds the jobs leave (`planHpaEdit`); when the
 * CronHPA scaler kind lands, this rule reads its simulation instead.
 */

interface CronJob { name?: string; schedule?: string; targetSize?: number; runOnce?: boolean }
interface CronSpec { scaleTargetRef?: { kind?: string; name?: string }; jobs?: CronJob[]; excludeDates?: string[] }
interface Firing { t: number; job: CronJob; index: number }

export const CRONHPA_KIND = 'CronHorizontalPodAutoscaler';
/** Firings of one job considered per run: a per-second schedule would otherwise be 86,400 a day. */
const MAX_FIRINGS = 2000;
const ns = (o: KubeObject) => o.metadata.namespace ?? 'default';

/** Every firing of the CronHPA's jobs between the timeline's start and end, in time order. */
export function firings(cron: CronSpec, startMs: number, endMs: number, timeZone: string): Firing[] {
  const out: Firing[] = [];
  (cron.jobs ?? []).forEach((job, index) => {
    if (typeof job.schedule !== 'string' || typeof job.targetSize !== 'number') return;
    let schedule;
    try {
      schedule = parseSchedule(job.schedule);
    } catch (e) {
      // The controller logs an unparsable job and never runs it: nothing to conflict with.
      if (e instanceof ScheduleError) return;
      throw e;
    }
    let t = startMs - 1000;
    for (let n = 0; n < MAX_FIRINGS; n++) {
      const next = nextFire(schedule, t, timeZone);
      if (next === undefined || next > endMs) break;
      t = next;
      if (!isTodayOff(cron.excludeDates, next, timeZone).off) out.push({ t: next, job, index });
      if (job.runOnce) break;
    }
  });
  return out.sort((a, b) => a.t - b.t);
}

/** The sample at or just after `t` (within one sample period), or undefined between windows. */
function sampleAt(samples: TimelineSample[], t: number, periodMs: number): TimelineSample | undefined {
  return samples.find((s) => s.t >= t && s.t - t < periodMs);
}

function refersTo(ref: CronSpec['scaleTargetRef'], o: KubeObject | undefined): boolean {
  return !!o && ref?.kind === o.kind && ref?.name === o.metadata.name;
}

/** A CronHPA that scales the HPA's workload itself: each job's /scale is undone at the HPA's next sync. */
function fight(ctx: LintContext, cron: KubeObject, spec: CronSpec, fs: Firing[], periodMs: number): Finding | undefined {
  for (const f of fs) {
    const s = sampleAt(ctx.timeline.samples, f.t, periodMs);
    if (!s || s.hpa.desired === f.job.targetSize) continue;
    const ce = counterExample(ctx.timeline, s);
    return {
      ruleId: cronHpaConflict.id,
      severity: 'error',
      message: `CronHPA ${ns(cron)}/${cron.metadata.name} scales ${spec.scaleTargetRef!.kind} ${spec.scaleTargetRef!.name}, which HPA ${ctx.hpa.metadata.name} also scales: job ${f.job.name ?? f.index} sets ${f.job.targetSize} replicas at ${ce.at}, where ${fmt(ce.devices)} devices needed ${ce.needed} and the HPA held ${ce.replicas}, so the HPA sets it back within ${ctx.system.flags.syncPeriodSeconds} s. Point the CronHPA's scaleTargetRef at the HPA (kind HorizontalPodAutoscaler, name ${ctx.hpa.metadata.name}): then its jobs move the HPA's bounds instead.`,
      location: ctx.locate(cron, ['spec', 'scaleTargetRef', 'kind']),
      counterExample: ce,
    };
  }
  return undefined;
}

/** A CronHPA on the HPA that raises its floor and never hands it back while the need falls for an hour or more. */
function stuckFloor(ctx: LintContext, cron: KubeObject, fs: Firing[]): Finding | undefined {
  const own = ctx.system.hpa;
  let bounds = { minReplicas: own.minReplicas, maxReplicas: own.maxReplicas };
  let raisedBy: Firing | undefined;
  let stretch: { start: number; worst: TimelineSample; held: number } | undefined;
  let next = 0;
  for (const s of ctx.timeline.samples) {
    const held = () => Math.min(bounds.maxReplicas, Math.max(bounds.minReplicas, s.hpa.desired));
    // A firing between windows takes effect at the next sample: the bounds it leaves persist.
    while (next < fs.length && fs[next]!.t <= s.t) {
      const f = fs[next++]!;
      const edit = planHpaEdit({ ...bounds, currentReplicas: held() }, f.job.targetSize!);
      if (edit.bounds) bounds = edit.bounds;
      raisedBy = bounds.minReplicas > own.minReplicas ? f : undefined;
    }
    const h = held();
    const excess = h - s.needed;
    if (!raisedBy || h !== bounds.minReplicas || h <= s.hpa.desired || excess < 2) {
      stretch = undefined;
      continue;
    }
    if (!stretch) stretch = { start: s.t, worst: s, held: h };
    else if (excess > stretch.held - stretch.worst.needed) stretch = { ...stretch, worst: s, held: h };
    if (s.t - stretch.start >= 3_600_000) {
      const ce = counterExample(ctx.timeline, stretch.worst, stretch.held);
      const job = raisedBy.job;
      return {
        ruleId: cronHpaConflict.id,
        severity: 'warning',
        message: `CronHPA ${ns(cron)}/${cron.metadata.name} job ${job.name ?? raisedBy.index} (${job.schedule}) raises HPA ${ctx.hpa.metadata.name}'s minReplicas to ${bounds.minReplicas} at ${clock(raisedBy.t, dayStart(ctx.timeline))} and no later job hands it back while the need falls: at ${ce.at} ${fmt(ce.devices)} devices needed ${ce.needed} replicas and the HPA was held at ${ce.replicas} (it would have run ${stretch.worst.hpa.desired}), for over an hour. Add a job that sets targetSize back to ${own.minReplicas} when the peak is over.`,
        location: ctx.locate(cron, ['spec', 'jobs', raisedBy.index, 'targetSize']),
        counterExample: ce,
      };
    }
  }
  return undefined;
}

export const cronHpaConflict: Rule = {
  id: 'cronhpa-hpa-conflict',
  severity: 'error',
  summary: 'A CronHPA and the HPA work against each other: both scale the same workload, or a job holds the HPA above the need.',
  help: 'A CronHPA whose scaleTargetRef is the workload an HPA scales sets replicas the HPA undoes at its next sync (15 s); point it at the HPA, and ACK\'s controller moves the HPA\'s minReplicas/maxReplicas instead. A job that raises the floor needs a later job that lowers it, or the HPA cannot follow the need down (error when they fight, warning for a floor held).',
  check(ctx) {
    const crons = ctx.objects.filter((o) => o.kind === CRONHPA_KIND && ns(o) === ns(ctx.hpa));
    const tl = ctx.timeline;
    const periodMs = ctx.system.sampleEverySeconds * 1000;
    const hpaTarget = (ctx.hpa.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
    const out: Finding[] = [];
    for (const cron of crons) {
      const spec = (cron.spec ?? {}) as CronSpec;
      const fs = firings(spec, tl.meta.start, tl.meta.end, ctx.timeZone);
      const ref = spec.scaleTargetRef;
      const onWorkload = refersTo(ref, ctx.target) || refersTo(ref, ctx.workload) || (ref?.kind === hpaTarget?.kind && ref?.name === hpaTarget?.name);
      const f = refersTo(ref, ctx.hpa) ? stuckFloor(ctx, cron, fs) : onWorkload ? fight(ctx, cron, spec, fs, periodMs) : undefined;
      if (f) out.push(f);
    }
    return out;
  },
};
