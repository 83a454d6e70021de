import { describe, expect, it } from 'vitest';
import { median, percentile } from './stats.ts';

describe('bench statistics', () => {
  it('median averages the middle pair of an even count and ignores input order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it('percentile is nearest-rank and never reads past the end', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentile(xs, 50)).toBe(51);
    expect(percentile(xs, 99)).toBe(100);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([], 99)).toBeNaN();
  });
});
