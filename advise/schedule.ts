import type { Curve } from '../scenarios/curve.ts';
import type { KubeObject } from '../kinds/model/objects.ts';
import type { SystemConfig } from '../simulator/index.ts';

/**
 * Floor schedules for the HPA + CronHPA family, pure: from the curve's daily shape, the replicas the
 * need requires each hour (ahead by the time a new pod takes to serve), merged into a few steps, as
 * the jobs of an ACK CronHorizontalPodAutoscaler on the HPA. The curve's clock times are the
 * scenario's time zone's (a scenario's curve is read at its zone's clock), so the jobs' cron hours
 * are too, and the CronHPA runs them in that zone.
 */

export interface FloorStep {
  /** Hour of the day (0–23) the step starts, in the scenario's time zone. */
  hour: number;
  /** Replicas the need requires through the step, before the candidate's floor and ceiling. */
  replicas: number;
}

/** A schedule shape: the hourly need × `fraction`, merged into at most `steps` steps. */
export interface FloorShape {
  name: string;
  fraction: number;
  steps: FloorStep[];
}

export interface CronJob {
  name: string;
  /** Six fields: second minute hour day-of-month month day-of-week. */
  schedule: string;
  targetSize: number;
}

/**
 * How long before the need a floor must rise for its pods to serve it: the metric's way through the
 * pipeline (the SLS window, the exporter's and the scrape's interval, the adapter's relist, an HPA
 * sync) and the slowest ECI start (instance, image pull, jitter), in whole minutes.
 */
export function leadSeconds(sys: Pick<SystemConfig, 'pipeline' | 'flags' | 'nodes'>): number {
  const p = sys.pipeline;
  const eci = sys.nodes.eci.startLatency;
  const s = p.slsWindowSeconds + p.exporterIntervalSeconds + p.scrapeIntervalSeconds + p.adapterRelistSeconds + sys.flags.syncPeriodSeconds + eci.startSeconds + eci.imagePull.max + eci.jitterSeconds;
  return Math.ceil(s / 60) * 60;
}

const HOUR = 3600;
const DAY = 86_400;

/**
 * Replicas each hour of the day needs: the curve's peak over the hour, shifted later by `leadSeconds`
 * (a floor raised at the hour serves from `leadSeconds` after it: the pods' start and the pipeline's
 * lag), divided by what one replica serves and rounded up; the largest over the curve's days.
 */
export function hourlyNeed(curve: Curve, devicesPerReplica: number, leadSeconds: number): number[] {
  const days = curve.days ?? 1;
  const step = Math.max(1, Math.min(60, curve.stepSeconds));
  const need: number[] = [];
  for (let h = 0; h < 24; h++) {
    let peak = 0;
    for (let d = 0; d < days; d++) {
      for (let s = h * HOUR + leadSeconds; s <= (h + 1) * HOUR + leadSeconds; s += step) {
        // A one-day curve repeats: the last hour's lead reaches into the next morning's first minutes.
        const t = days === 1 ? s % DAY : Math.min(d * DAY + s, days * DAY - 1);
        peak = Math.max(peak, curve.at(t));
      }
    }
    need.push(Math.ceil(peak / devicesPerReplica));
  }
  return need;
}

/**
 * The hourly floors merged into at most `maxSteps` steps of consecutive hours, each at its hours'
 * largest floor, choosing the steps that add the fewest replica-hours (a dynamic programme over the
 * 24 hours: optimal for that measure).
 */
export function mergeSteps(hourly: number[], maxSteps: number): FloorStep[] {
  const n = hourly.length;
  const waste = (i: number, j: number) => {
    const top = Math.max(...hourly.slice(i, j + 1));
    return hourly.slice(i, j + 1).reduce((a, v) => a + top - v, 0);
  };
  // best[k][j]: the least waste covering hours 0..j with k+1 steps; from[k][j]: where the last starts.
  const best: number[][] = [];
  const from: number[][] = [];
  for (let k = 0; k < maxSteps; k++) {
    best.push(new Array<number>(n).fill(Infinity));
    from.push(new Array<number>(n).fill(0));
    for (let j = 0; j < n; j++) {
      if (k === 0) {
        best[0]![j] = waste(0, j);
        continue;
      }
      for (let i = 1; i <= j; i++) {
        const w = best[k - 1]![i - 1]! + waste(i, j);
        if (w < best[k]![j]!) {
          best[k]![j] = w;
          from[k]![j] = i;
        }
      }
    }
  }
  let k = 0;
  for (let x = 1; x < maxSteps; x++) if (best[x]![n - 1]! < best[k]![n - 1]!) k = x;
  const starts: number[] = [];
  for (let j = n - 1; k >= 0; k--) {
    const i = k === 0 ? 0 : from[k]![j]!;
    starts.unshift(i);
    j = i - 1;
  }
  return starts.map((s, i) => ({ hour: s, replicas: Math.max(...hourly.slice(s, starts[i + 1] ?? n)) }));
}

/** The schedule shapes searched: the need at a few fractions (the HPA covers the rest), in at most `maxSteps` steps. */
export function floorShapes(hourly: number[], opts: { fractions?: number[]; maxSteps?: number } = {}): FloorShape[] {
  const fractions = opts.fractions ?? [0.5, 0.7, 0.85, 1];
  const shapes = fractions.map((f) => ({ name: `${Math.round(f * 100)} % of the hourly need`, fraction: f, steps: mergeSteps(hourly.map((v) => Math.ceil(v * f)), opts.maxSteps ?? 4) }));
  // A shape whose steps are all equal raises nothing a floor could not: leave it to minReplicas.
  return shapes.filter((s) => s.steps.some((x) => x.replicas !== s.steps[0]!.replicas));
}

const hh = (h: number) => String(h).padStart(2, '0');

/**
 * The CronHPA's jobs for a candidate's floor and ceiling: each step raises the HPA's floor to its
 * replicas (at most the ceiling: a job above maxReplicas would raise it, and nothing lowers it again),
 * a step at or below the floor hands it back (`targetSize` = minReplicas, which lowers the raised
 * floor: cronjob.go ScaleHPA). Consecutive steps with the same size are one job.
 */
export function cronJobs(shape: FloorShape, minReplicas: number, maxReplicas: number): CronJob[] {
  const jobs: CronJob[] = [];
  let last = minReplicas;
  for (const s of shape.steps) {
    const size = Math.max(minReplicas, Math.min(maxReplicas, s.replicas));
    if (size === last) continue;
    jobs.push({ name: size > minReplicas ? `floor-${hh(s.hour)}00` : `handback-${hh(s.hour)}00`, schedule: `0 0 ${s.hour} * * *`, targetSize: size });
    last = size;
  }
  // The day wraps: a floor still raised at midnight goes back then, unless a job at 00:00 already sets the night's.
  if (jobs.length && last !== minReplicas && !jobs[0]!.schedule.startsWith('0 0 0 ')) jobs.push({ name: `handback-${hh(0)}00`, schedule: '0 0 0 * * *', targetSize: minReplicas });
  return jobs;
}

export const CRONHPA_API_VERSION = 'autoscaling.alibabacloud.com/v1beta1';

/** The CronHorizontalPodAutoscaler on the HPA (how ACK documents the two together). */
export function cronHpaObject(hpa: { name: string; namespace?: string | undefined }, jobs: CronJob[]): KubeObject {
  return {
    apiVersion: CRONHPA_API_VERSION,
    kind: 'CronHorizontalPodAutoscaler',
    metadata: { name: `${hpa.name}-floor`, ...(hpa.namespace ? { namespace: hpa.namespace } : {}) },
    spec: { scaleTargetRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: hpa.name }, jobs: jobs.map((j) => ({ name: j.name, schedule: j.schedule, targetSize: j.targetSize })) },
  } as KubeObject;
}

/** The schedule in plain words, for advice.md. */
export function describeJobs(jobs: CronJob[], timeZone: string, minReplicas: number): string {
  const at = (j: CronJob) => `${hh(Number(j.schedule.split(' ')[2]))}:00`;
  const parts = jobs.map((j) => (j.targetSize > minReplicas ? `at ${at(j)} the floor rises to ${j.targetSize} replicas` : `at ${at(j)} it goes back to the HPA's own minReplicas (${minReplicas})`));
  return `Every day (${timeZone}): ${parts.join('; ')}. Between these times the HPA scales as usual above the floor.`;
}
