import { describe, expect, it } from 'vitest';
import { compressBehavior, CompressionError, largestLegalFactor, rescaleConstants, withApiDefaultPolicies } from './compression.ts';

describe('behavior compression', () => {
  const behavior = {
    scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods' as const, value: 4, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent' as const, value: 10, periodSeconds: 60 }] },
  };

  it('divides windows and periods by k', () => {
    const { behavior: b, warnings } = compressBehavior(behavior, 15);
    expect(b?.scaleUp?.policies?.[0]?.periodSeconds).toBe(1);
    expect(b?.scaleDown?.policies?.[0]?.periodSeconds).toBe(4);
    expect(b?.scaleDown?.stabilizationWindowSeconds).toBe(20);
    expect(warnings).toEqual([]);
  });

  it('refuses a factor that needs a period below 1 s and names the largest legal one', () => {
    expect(largestLegalFactor(behavior)).toBe(15);
    try {
      compressBehavior(behavior, 30);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(CompressionError);
      expect((e as CompressionError).largestLegalK).toBe(15);
      expect((e as Error).message).toMatch(/largest legal factor is 15/);
    }
  });

  it('runs rate-preserving with a fidelity warning when asked', () => {
    const { behavior: b, warnings } = compressBehavior(behavior, 30, { ratePreserving: true });
    // 4 pods per 15 s at k=30 is 4 pods per 0.5 s → 8 pods per 1 s.
    expect(b?.scaleUp?.policies?.[0]).toEqual({ type: 'Pods', value: 8, periodSeconds: 1 });
    expect(warnings.join('\n')).toMatch(/rate-preserving/);
  });

  it('warns when rounding moves a window by more than 5%', () => {
    const { warnings } = compressBehavior({ scaleDown: { stabilizationWindowSeconds: 100 } }, 40);
    expect(warnings[0]).toMatch(/stabilizationWindowSeconds 100s\/k=2\.50s rounds to 3s/);
  });

  it('compresses the policies the API server would default into a given behavior, rate-preserving where k needs it', () => {
    // Only a scale-down window written: the API server adds 4 pods / 100 % per 15 s up and 100 % per 15 s down,
    // which left alone would be 15 s of wall time, 2.5 virtual hours at k=600.
    const filled = withApiDefaultPolicies({ scaleDown: { stabilizationWindowSeconds: 0 } });
    expect(filled.defaulted).toEqual(['scaleUp', 'scaleDown']);
    expect(filled.behavior.scaleUp?.policies).toEqual([{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]);
    expect(filled.behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    const { behavior: b, warnings } = compressBehavior(filled.behavior, 600, { ratePreservingDirections: filled.defaulted });
    // 4 pods per 15 s at k=600 is 4 pods per 0.025 s → 160 pods per 1 s.
    expect(b?.scaleUp?.policies?.[0]).toEqual({ type: 'Pods', value: 160, periodSeconds: 1 });
    expect(warnings.join('\n')).toMatch(/rate-preserving/);
    // What the team wrote keeps its own rule: its policies are not defaulted, and k=600 is refused for them.
    const own = withApiDefaultPolicies(behavior);
    expect(own.defaulted).toEqual([]);
    expect(() => compressBehavior(own.behavior, 600, { ratePreservingDirections: own.defaulted })).toThrow(CompressionError);
  });

  it('reports every constant in virtual and wall seconds', () => {
    const r = rescaleConstants({ slsWindowSeconds: 60, exporterIntervalSeconds: 15, scrapeIntervalSeconds: 30, adapterRelistSeconds: 60, hpaSyncPeriodSeconds: 15, downscaleStabilizationSeconds: 300 }, 20);
    expect(r.downscaleStabilizationSeconds).toEqual({ virtual: 300, wall: 15 });
  });
});
