/**
 * Long runs drawn at the resolution of a chart: a week at one sample every 15 s is 40,000 points per
 * series, several MB of report for a plot a thousand pixels wide. Each series keeps its first and
 * last point and, per bucket of consecutive points, the ones holding its minimum and maximum (and a
 * gap, where the bucket has one), so a spike or a dip of one sample still shows. Series that stack
 * keep the same points, chosen on their sum, so that the stack stays aligned.
 */

type Point = [number, number | null];

/** Points a series keeps at most (about two per bucket). */
export const MAX_POINTS_PER_SERIES = 1000;

/** The indices kept of `values`, in order: first, last, and each bucket's minimum, maximum and first gap. */
export function keptIndices(values: readonly (number | null)[], maxPoints = MAX_POINTS_PER_SERIES): number[] {
  const n = values.length;
  if (n <= maxPoints) return values.map((_, i) => i);
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 3));
  const kept = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    let lo = -1;
    let hi = -1;
    let gap = -1;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        if (gap < 0) gap = i;
        continue;
      }
      if (lo < 0 || v < values[lo]!) lo = i;
      if (hi < 0 || v > values[hi]!) hi = i;
    }
    for (const i of [lo, hi, gap]) if (i >= 0) kept.add(i);
  }
  return [...kept].sort((a, b) => a - b);
}

interface Downsampled {
  points: Point[];
  stack?: string;
}

/** The series with at most about `maxPoints` points each; stacked series of one length share their indices. */
export function downsampleSeries<S extends Downsampled>(series: S[], maxPoints = MAX_POINTS_PER_SERIES): S[] {
  const shared = new Map<string, number[]>();
  for (const s of series) {
    if (s.stack === undefined || shared.has(`${s.stack}:${s.points.length}`)) continue;
    const same = series.filter((o) => o.stack === s.stack && o.points.length === s.points.length);
    const sum = s.points.map((_, i) => (same.every((o) => o.points[i]![1] === null) ? null : same.reduce((a, o) => a + (o.points[i]![1] ?? 0), 0)));
    shared.set(`${s.stack}:${s.points.length}`, keptIndices(sum, maxPoints));
  }
  return series.map((s) => {
    if (s.points.length <= maxPoints) return s;
    const idx = (s.stack !== undefined ? shared.get(`${s.stack}:${s.points.length}`) : undefined) ?? keptIndices(s.points.map((p) => p[1]), maxPoints);
    return { ...s, points: idx.map((i) => s.points[i]!) };
  });
}
