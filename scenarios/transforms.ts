import { seededRandom } from '../cluster/nodes/latency.ts';
import { DAY_SECONDS, makeCurve, type Curve } from './curve.ts';

/**
 * Pure curve transforms used by scenarios and by what-if sweeps. Each returns a new curve at the
 * same step.
 */

export const scale = (c: Curve, f: number): Curve => makeCurve(`${c.name}×${f}`, c.stepSeconds, c.values.map((v) => v * f));

/** Year-on-year style growth: the same shape, every value × f (a named alias of scale for reports). */
export const growth = (c: Curve, f: number): Curve => makeCurve(`${c.name} growth ${f}`, c.stepSeconds, c.values.map((v) => v * f));

/** Moves the curve later by `seconds` (earlier if negative); the edges hold their first/last value. */
export function shift(c: Curve, seconds: number): Curve {
  return makeCurve(`${c.name} shift ${seconds}s`, c.stepSeconds, c.values.map((_, i) => c.at(i * c.stepSeconds - seconds)));
}

/** The project's seeded generator (mulberry32): same seed → same curve on every machine. */
export const rng = seededRandom;

/** Multiplicative Gaussian noise with relative sigma, seeded; never below zero. */
export function noise(c: Curve, sigma: number, seed: number): Curve {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return makeCurve(`${c.name} noise ${sigma}`, c.stepSeconds, c.values.map((v) => Math.max(0, v * (1 + sigma * gauss()))));
}

/** Replaces [from, to) seconds of day of `c` with the same span of `other` (e.g. a flash crowd). */
export function splice(c: Curve, other: Curve, from: number, to: number): Curve {
  if (!(from >= 0 && to <= DAY_SECONDS && from < to)) throw new Error(`splice: need 0 ≤ from < to ≤ ${DAY_SECONDS}, got ${from}..${to}`);
  return makeCurve(`${c.name} + ${other.name}`, c.stepSeconds, c.values.map((v, i) => {
    const s = i * c.stepSeconds;
    return s >= from && s < to ? other.at(s) : v;
  }));
}
