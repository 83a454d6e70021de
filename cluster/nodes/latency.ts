import type { EciFailure, EciLatency } from './config.ts';

/**
 * mulberry32: a 32-bit seeded generator in five lines. Determinism across runs and platforms is the
 * whole point here, and no maintained npm package is smaller or more stable than this.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ECI start latency in virtual seconds: instance start + image pull + jitter, never negative. */
export function drawEciLatency(l: EciLatency, rnd: () => number): number {
  const pull = l.imagePull.min + (l.imagePull.max - l.imagePull.min) * rnd();
  const jitter = (2 * rnd() - 1) * l.jitterSeconds;
  return Math.max(0, l.startSeconds + pull + jitter);
}

export interface FailureDecider {
  /** The failure for this pod, or undefined if it starts normally. */
  decide(podName: string): EciFailure | undefined;
  failures(): number;
}

export function failureDecider(rules: EciFailure, rnd: () => number): FailureDecider {
  let count = 0;
  const pattern = rules.podNamePattern !== undefined ? new RegExp(rules.podNamePattern) : undefined;
  return {
    decide(podName) {
      // Draw every time so one pod's outcome does not shift the latency sequence of the next.
      const roll = rnd();
      if (rules.maxFailures !== undefined && count >= rules.maxFailures) return undefined;
      const byName = pattern?.test(podName) ?? false;
      const byChance = rules.probability > 0 && roll < rules.probability;
      if (!byName && !byChance) return undefined;
      count++;
      return rules;
    },
    failures: () => count,
  };
}
