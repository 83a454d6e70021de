import { observedRuns } from '../../core/checks/checks.ts';
import type { Timeline, TimelineSample } from '../../core/timeline/format.ts';
import { simAgreement } from '../../reports/agreement.ts';
import { median, percentile } from '../stats.ts';

/**
 * How a replay at compression k differs from a reference run of the same scenario (the simulator, or
 * the replay at the lowest k): replica agreement sample by sample, and the scaling decisions matched
 * one to one — each change of the desired count in the reference paired with the nearest change in
 * the same direction to the same count in the replay (within `matchWithinMs`); unpaired reference
 * changes are missed, unpaired replay changes extra. Pure: timelines in, figures out.
 */

export interface ScalingChange {
  t: number;
  from: number;
  to: number;
}

export interface Fidelity {
  samples: number;
  equalPercent: number;
  within1Percent: number;
  /** Replay decision time minus reference decision time, virtual seconds, over matched changes. */
  offsetP50: number;
  offsetP90: number;
  matched: number;
  missed: number;
  extra: number;
}

/** Changes of hpa.desired between consecutive samples, never across a skipped gap between windows. */
export function desiredChanges(tl: Timeline): ScalingChange[] {
  const out: ScalingChange[] = [];
  for (const [from, to] of observedRuns(tl)) {
    for (let i = from + 1; i < to; i++) {
      const a = tl.samples[i - 1]!.hpa.desired;
      const b = tl.samples[i]!.hpa.desired;
      if (a !== b) out.push({ t: tl.samples[i]!.t - tl.meta.start, from: a, to: b });
    }
  }
  return out;
}

export function matchChanges(ref: ScalingChange[], run: ScalingChange[], matchWithinMs: number): { offsets: number[]; missed: number; extra: number } {
  const used = new Set<number>();
  const offsets: number[] = [];
  let missed = 0;
  for (const c of ref) {
    const dir = Math.sign(c.to - c.from);
    let best = -1;
    for (let j = 0; j < run.length; j++) {
      const r = run[j]!;
      if (used.has(j) || Math.sign(r.to - r.from) !== dir || r.to !== c.to || Math.abs(r.t - c.t) > matchWithinMs) continue;
      if (best < 0 || Math.abs(r.t - c.t) < Math.abs(run[best]!.t - c.t)) best = j;
    }
    if (best < 0) missed++;
    else {
      used.add(best);
      offsets.push((run[best]!.t - c.t) / 1000);
    }
  }
  return { offsets, missed, extra: run.length - used.size };
}

export function fidelity(run: Timeline, ref: Timeline, matchWithinMs = 600_000): Fidelity {
  const a = simAgreement(run, ref).find((x) => x.of === 'ew.replicas')!;
  const m = matchChanges(desiredChanges(ref), desiredChanges(run), matchWithinMs);
  return {
    samples: a.samples,
    equalPercent: a.equalPercent,
    within1Percent: a.within1Percent,
    offsetP50: median(m.offsets),
    offsetP90: percentile(m.offsets.map(Math.abs), 90),
    matched: m.offsets.length,
    missed: m.missed,
    extra: m.extra,
  };
}

/** Samples the schedule owed (one per interval per window, both ends), how many came, how late. */
export function sampleLoss(tl: Timeline, intervalSeconds: number): { expected: number; recorded: number; late: number; lateP90: number; lateMax: number } {
  const ws = tl.meta.windows ?? [{ start: tl.meta.start, end: tl.meta.end }];
  const expected = ws.reduce((n, w) => n + Math.floor((w.end - w.start) / (intervalSeconds * 1000)) + 1, 0);
  const lates = tl.samples.map((s: TimelineSample) => s.lateSeconds ?? 0);
  return { expected, recorded: tl.samples.length, late: lates.filter((x) => x > 0).length, lateP90: percentile(lates, 90), lateMax: Math.max(0, ...lates) };
}

/**
 * Lag of each pipeline stage: for every value a stage published (metric.published), how many
 * virtual seconds earlier the curve last had that value (searching back `searchMs`).
 */
export function stageLags(tl: Timeline, curveAt: (tVirtualMs: number) => number, searchMs = 600_000): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const e of tl.events) {
    if (e.type !== 'metric.published' || !e.object || e.to === undefined) continue;
    let best = Infinity;
    let at = e.t;
    for (let back = 0; back <= searchMs; back += 1000) {
      const d = Math.abs(Math.round(curveAt(e.t - back)) - e.to);
      if (d < best) {
        best = d;
        at = e.t - back;
      }
      if (d === 0) break;
    }
    (out[e.object] ??= []).push((e.t - at) / 1000);
  }
  return out;
}
