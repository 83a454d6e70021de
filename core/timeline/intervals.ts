import type { TimelineSample } from './format.ts';

/**
 * Sample intervals that count as elapsed time. A replay of several windows skips the hours between
 * them, so an interval much longer than the sampling period is a gap, not time the pods ran.
 */
export function elapsedIntervals(samples: TimelineSample[]): number[] {
  const d: number[] = [];
  for (let i = 1; i < samples.length; i++) d.push(samples[i]!.t - samples[i - 1]!.t);
  const sorted = [...d].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return d.map((x) => (median > 0 && x > 3 * median ? 0 : x));
}
