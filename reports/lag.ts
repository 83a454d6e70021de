import type { Timeline } from '../core/timeline/format.ts';

/**
 * How far a published value trails the curve: the shift d (virtual s) that best lines the value up
 * with the curve d seconds earlier (least mean absolute difference over the samples). Robust to the
 * curve's shape (a ramp or a step) and to noise, and needs nothing but the timeline.
 */

type Series = (t: number) => number | undefined;

/** The curve at any virtual ms between two samples (linear), undefined outside the samples. */
function curveAt(tl: Timeline): Series {
  const s = tl.samples;
  return (t) => {
    if (s.length === 0 || t < s[0]!.t || t > s.at(-1)!.t) return undefined;
    let lo = 0;
    let hi = s.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (s[mid]!.t <= t) lo = mid;
      else hi = mid;
    }
    const a = s[lo]!;
    const b = s[hi]!;
    return b.t === a.t ? a.devices : a.devices + ((b.devices - a.devices) * (t - a.t)) / (b.t - a.t);
  };
}

/** The window start of each sample (windows are replayed back to back: no shift may reach across one). */
function windowStartOf(tl: Timeline): (t: number) => number {
  const ws = tl.meta.windows ?? [{ start: tl.meta.start, end: tl.meta.end }];
  return (t) => [...ws].reverse().find((w) => w.start <= t)?.start ?? ws[0]!.start;
}

/** Best shift in virtual seconds of `values` (at sample times) behind the curve, or undefined without data. */
export function lagSeconds(tl: Timeline, values: (number | undefined)[], maxSeconds = 600): number | undefined {
  const curve = curveAt(tl);
  const startOf = windowStartOf(tl);
  let best: { d: number; err: number } | undefined;
  for (let d = 0; d <= maxSeconds; d++) {
    let err = 0;
    let n = 0;
    tl.samples.forEach((x, i) => {
      const v = values[i];
      const t = x.t - d * 1000;
      if (v === undefined || t < startOf(x.t)) return;
      const c = curve(t);
      if (c === undefined) return;
      err += Math.abs(v - c);
      n++;
    });
    // Enough overlap that a large shift cannot win by comparing a handful of points.
    if (n < Math.max(3, tl.samples.length / 2)) continue;
    if (!best || err / n < best.err - 1e-9) best = { d, err: err / n };
  }
  return best?.d;
}

/** A stage's published values (metric.published events) as seen at each sample time. */
export function stageAtSamples(tl: Timeline, stage: string): (number | undefined)[] {
  const ev = tl.events.filter((e) => e.type === 'metric.published' && e.object === stage && e.to !== undefined).sort((a, b) => a.t - b.t);
  let j = -1;
  return tl.samples.map((x) => {
    while (j + 1 < ev.length && ev[j + 1]!.t <= x.t) j++;
    return j >= 0 ? ev[j]!.to : undefined;
  });
}

/** The summary's lag line: the metric's lag, and in events mode what the events add before the exporter. */
export function describeLag(tl: Timeline): string | undefined {
  const metric = lagSeconds(tl, tl.samples.map((x) => x.metric ?? undefined));
  if (metric === undefined) return undefined;
  const held = tl.events.some((e) => e.type === 'metric.published' && e.object === 'sls-events') ? lagSeconds(tl, stageAtSamples(tl, 'sls-events')) : undefined;
  const head = `Lag of the metric the HPA saw behind the curve: ${metric} s virtual`;
  if (held === undefined) return `${head} (curve mode: the fake SLS answers the curve at the virtual now).`;
  return `${head}; events mode adds ${held} s before the exporter (devices the fake SLS holds over the query window lag the curve by ${held} s; curve mode answers the curve at the virtual now, 0 s).`;
}
