import { describe, expect, it } from 'vitest';
import { baselineFileFor } from './baseline.ts';

describe('baselineFileFor', () => {
  const withFile = { file: '/repo/ci/scenario.yaml', expectations: [{ type: 'baseline' as const, file: 'runs/main.jsonl', of: 'ew.replicas' as const, toleranceReplicas: 1, minAgreementPercent: 98 }] };

  it("takes the scenario's baseline expectation's file, relative to the scenario", () => {
    expect(baselineFileFor(withFile)).toBe('/repo/ci/runs/main.jsonl');
  });

  it('--baseline wins; without either there is none', () => {
    expect(baselineFileFor(withFile, 'other.jsonl')).toBe('other.jsonl');
    expect(baselineFileFor({ file: '/repo/s.yaml', expectations: [{ type: 'baseline', of: 'ew.replicas', toleranceReplicas: 1, minAgreementPercent: 98 }] })).toBeUndefined();
    expect(baselineFileFor({ file: '/repo/s.yaml', expectations: [] })).toBeUndefined();
  });
});
