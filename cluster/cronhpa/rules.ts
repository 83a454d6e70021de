import { nextFire, parseSchedule, ScheduleError, wallTime } from './schedule.ts';

/**
 * What one CronHPA job does when it fires, as pure functions. Citations are to
 * AliyunContainerService/kubernetes-cronhpa-controller at 31c63bed (master; v1.3.0, the only version
 * the module proxy serves, predates the HPA-aware path and scales whatever it names through /scale).
 */

export interface HpaState {
  minReplicas: number;
  maxReplicas: number;
  /** The HPA's `status.currentReplicas` (upstream reads the HPA's, not the workload's). */
  currentReplicas: number;
  /** The target's `scale.spec.replicas`, which upstream's messages print (default: currentReplicas). */
  scaleReplicas?: number;
}

export interface HpaEdit {
  /** The HPA's new bounds; undefined when nothing changes (no write). */
  bounds?: { minReplicas: number; maxReplicas: number };
  /** Replicas to set on the HPA's target through /scale; undefined: leave them to the HPA. */
  scaleTo?: number;
  message: string;
}

/**
 * pkg/controller/cronjob.go `ScaleHPA`, lines 178-221: the job edits the HPA's bounds so the HPA
 * and the CronHPA coexist, and never scales the workload below what it runs (upstream issue #54).
 */
export function planHpaEdit(hpa: HpaState, target: number, names = { hpa: 'hpa', namespace: 'default' }): HpaEdit {
  let { minReplicas, maxReplicas } = hpa;
  const current = hpa.currentReplicas;
  const shown = hpa.scaleReplicas ?? current;
  // cronjob.go:180-183: a target above max raises max.
  if (target > maxReplicas) maxReplicas = target;
  // cronjob.go:185-188: a target below min lowers min (the evening job hands the floor back).
  if (target < minReplicas) minReplicas = target;
  // cronjob.go:191-194: the HPA sits at its floor and the target is lower: lower the floor.
  if (current === minReplicas && target < current) minReplicas = target;
  // cronjob.go:196-199: the workload runs fewer than the target: the target becomes the floor.
  if (current < target) minReplicas = target;
  const changed = minReplicas !== hpa.minReplicas || maxReplicas !== hpa.maxReplicas;
  const bounds = changed ? { minReplicas, maxReplicas } : undefined;
  // cronjob.go:208-212: at or above the target, the replicas are left alone.
  if (current >= target) {
    return { bounds, message: `Skip scale replicas because HPA ${names.hpa} in namespace ${names.namespace} current replicas:${shown} >= desired replicas:${target}.` };
  }
  // cronjob.go:214-221: below it, the HPA's target is also scaled to the target at once.
  return { bounds, scaleTo: target, message: `current replicas:${shown}, desired replicas:${target}.` };
}

/** cronjob.go `ScalePlainRef`, lines 224-261: a workload named directly is set to the target. */
export function planPlainScale(currentReplicas: number, target: number): { scaleTo: number; message: string } {
  return { scaleTo: target, message: `current replicas:${currentReplicas}, desired replicas:${target}.` };
}

/**
 * cronjob.go `IsTodayOff`, lines 307-325: today is skipped when an exclude-date cron's next firing
 * after now falls on today. Upstream compares with the Go layout "11-15-1990", which formats month
 * and hour, not the date (a bug that makes "today" mean "this hour of this month"); we compare the
 * calendar date in the controller's time zone, which is what the field is documented to mean.
 * An unparsable entry is skipped, as upstream logs and skips it (line 316-318).
 */
export function isTodayOff(excludeDates: readonly string[] | undefined, nowMs: number, timeZone: string): { off: boolean; message: string; invalid: string[] } {
  const invalid: string[] = [];
  const today = wallTime(nowMs, timeZone);
  for (const date of excludeDates ?? []) {
    let next: number | undefined;
    try {
      next = nextFire(parseSchedule(date), nowMs, timeZone);
    } catch (e) {
      if (e instanceof ScheduleError) {
        invalid.push(`${date}: ${e.message}`);
        continue;
      }
      throw e;
    }
    if (next === undefined) continue;
    const w = wallTime(next, timeZone);
    if (w.year === today.year && w.month === today.month && w.day === today.day) {
      return { off: true, message: `skip scaling activity,because of excludeDate (${date}).`, invalid };
    }
  }
  return { off: false, message: '', invalid };
}
