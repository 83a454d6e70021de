import { agreement } from '../core/checks/checks.ts';
import { formatClock } from '../core/time-zone.ts';
import type { Timeline } from '../core/timeline/format.ts';

/**
 * How closely the simulator's run of a scenario matches the replay on the real control plane:
 * the share of replay samples whose replica count equals the simulator's, and is within ±1,
 * aligned by offset from each timeline's meta.start (as the simulator's cross-check does).
 */
export interface SimAgreement {
  of: 'ew.replicas' | 'hpa.desired';
  samples: number;
  equalPercent: number;
  within1Percent: number;
  worstDiff: number;
  worstAt?: number;
  /** The replay's time zone, for the time of the worst difference. */
  zone?: string;
}

export function simAgreement(tl: Timeline, sim: Timeline): SimAgreement[] {
  return (['ew.replicas', 'hpa.desired'] as const).map((of) => {
    const equal = agreement(tl, sim, of, 0);
    const within1 = agreement(tl, sim, of, 1);
    return { of, samples: tl.samples.length, equalPercent: equal.percent, within1Percent: within1.percent, worstDiff: equal.worstDiff, worstAt: equal.worstAt, zone: tl.meta.timeZone ?? 'UTC' };
  });
}

/** One line per series, e.g. "ew.replicas: equal in 82.0%, within ±1 in 97.5% of 121 samples (worst 3 at 07:42:00)". */
export function describeAgreement(a: SimAgreement): string {
  if (a.samples === 0 || !Number.isFinite(a.worstDiff)) return `${a.of}: no samples to compare`;
  const worst = a.worstDiff > 0 && a.worstAt !== undefined ? ` (worst difference ${a.worstDiff} at ${formatClock(a.worstAt, a.zone ?? 'UTC', true)} ${a.zone ?? 'UTC'})` : '';
  return `${a.of}: equal in ${a.equalPercent.toFixed(1)}%, within ±1 in ${a.within1Percent.toFixed(1)}% of ${a.samples} samples${worst}`;
}
