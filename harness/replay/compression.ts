/**
 * Rescaling the time constants of a replay by the compression factor k. Durations that are flags
 * (kcm periods, scrape interval, KWOK delays) take any value; HPA `behavior` fields are integer
 * seconds (periodSeconds ≥ 1, stabilizationWindowSeconds ≥ 0), so a factor that would need a period
 * below one second is refused with the largest legal factor named, or — when asked — run
 * rate-preserving (period 1 s, policy value scaled to keep pods per second) with a fidelity warning.
 */

import type { Behavior, ScalingRules } from '../../kinds/model/behavior.ts';
import type { TimeConstants } from '../../kinds/model/pipeline.ts';
import { defaultBehavior } from '../../kinds/scaler/hpa/model.ts';

/** The behavior as the HPA object writes it (a tolerance may be a quantity string). */
export type HpaBehavior = Behavior<number | string>;
type HpaScalingRules = ScalingRules<number | string>;

export class CompressionError extends Error {
  readonly largestLegalK: number;
  constructor(message: string, largestLegalK: number) {
    super(message);
    this.name = 'CompressionError';
    this.largestLegalK = largestLegalK;
  }
}

/** The largest k at which every behavior period stays ≥ 1 s (Infinity when there are none). */
export function largestLegalFactor(b: HpaBehavior | undefined): number {
  const periods = [b?.scaleUp, b?.scaleDown].flatMap((r) => r?.policies ?? []).map((p) => p.periodSeconds);
  return periods.length ? Math.min(...periods) : Infinity;
}

export interface CompressedBehavior {
  behavior: HpaBehavior | undefined;
  warnings: string[];
}

function compressRules(dir: 'scaleUp' | 'scaleDown', r: HpaScalingRules | undefined, k: number, ratePreserving: boolean, warnings: string[]): HpaScalingRules | undefined {
  if (!r) return r;
  const out: HpaScalingRules = { ...r };
  if (r.stabilizationWindowSeconds !== undefined) {
    const exact = r.stabilizationWindowSeconds / k;
    out.stabilizationWindowSeconds = Math.round(exact);
    if (exact > 0 && Math.abs(out.stabilizationWindowSeconds - exact) / exact > 0.05) {
      warnings.push(`behavior.${dir}.stabilizationWindowSeconds ${r.stabilizationWindowSeconds}s/k=${exact.toFixed(2)}s rounds to ${out.stabilizationWindowSeconds}s (${(100 * Math.abs(out.stabilizationWindowSeconds - exact) / exact).toFixed(0)}% off)`);
    }
  }
  if (r.policies) {
    out.policies = r.policies.map((p, i) => {
      const exact = p.periodSeconds / k;
      if (exact >= 1) {
        const period = Math.round(exact);
        if (Math.abs(period - exact) / exact > 0.05) warnings.push(`behavior.${dir}.policies[${i}].periodSeconds ${p.periodSeconds}s/k=${exact.toFixed(2)}s rounds to ${period}s`);
        return { ...p, periodSeconds: period };
      }
      if (!ratePreserving) throw new CompressionError('', 0);
      // Same pods (or percent) per second over a 1 s period: the rate holds, the granularity does not.
      const scaled = Math.max(1, Math.round(p.value / exact));
      warnings.push(
        `behavior.${dir}.policies[${i}]: ${p.type} ${p.value} per ${p.periodSeconds}s would need a ${exact.toFixed(3)}s period at k=${k}; ran rate-preserving as ${p.type} ${scaled} per 1s (fidelity: bursts within a period are not reproduced)`,
      );
      return { ...p, value: scaled, periodSeconds: 1 };
    });
  }
  return out;
}

/**
 * The policies the API server writes into a given behavior where a direction has none
 * (pkg/apis/autoscaling/v2/defaults.go: scale-up 4 pods or 100 % per 15 s, scale-down 100 % per
 * 15 s), made explicit so they are compressed like the rest: left to the API server they would
 * stay 15 s of wall time, 15·k virtual seconds. Returns the directions so filled.
 */
export function withApiDefaultPolicies(b: HpaBehavior): { behavior: HpaBehavior; defaulted: ('scaleUp' | 'scaleDown')[] } {
  // Only the policies are taken: the flags matter for the scale-down window, which stays as given.
  const defaults = defaultBehavior(b as Behavior, { tolerance: 0.1, downscaleStabilizationSeconds: 0 });
  const defaulted: ('scaleUp' | 'scaleDown')[] = [];
  const out: HpaBehavior = { ...b };
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    if (b[dir]?.policies?.length) continue;
    defaulted.push(dir);
    out[dir] = { ...b[dir], policies: defaults[dir].policies.map((p) => ({ ...p })) };
  }
  return { behavior: out, defaulted };
}

export function compressBehavior(b: HpaBehavior | undefined, k: number, opts: { ratePreserving?: boolean; ratePreservingDirections?: readonly ('scaleUp' | 'scaleDown')[] } = {}): CompressedBehavior {
  if (!b) return { behavior: b, warnings: [] };
  const legal = largestLegalFactor(b);
  const warnings: string[] = [];
  const rate = (dir: 'scaleUp' | 'scaleDown') => (opts.ratePreserving ?? false) || (opts.ratePreservingDirections?.includes(dir) ?? false);
  try {
    return {
      behavior: {
        ...(b.scaleUp ? { scaleUp: compressRules('scaleUp', b.scaleUp, k, rate('scaleUp'), warnings) } : {}),
        ...(b.scaleDown ? { scaleDown: compressRules('scaleDown', b.scaleDown, k, rate('scaleDown'), warnings) } : {}),
      },
      warnings,
    };
  } catch (e) {
    if (e instanceof CompressionError) {
      throw new CompressionError(
        `compression factor ${k} would need an HPA behavior period below 1 s (the smallest period is ${legal}s); the largest legal factor is ${legal}, or run rate-preserving`,
        legal,
      );
    }
    throw e;
  }
}

/** The time constants in virtual seconds, and what they become on the wall clock. */
export function rescaleConstants(c: TimeConstants, k: number): Record<keyof TimeConstants, { virtual: number; wall: number }> {
  const out = {} as Record<keyof TimeConstants, { virtual: number; wall: number }>;
  for (const [key, v] of Object.entries(c) as [keyof TimeConstants, number][]) out[key] = { virtual: v, wall: v / k };
  return out;
}
