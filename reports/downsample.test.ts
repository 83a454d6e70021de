import { describe, expect, it } from 'vitest';
import { downsampleSeries, keptIndices } from './downsample.ts';

const wave = (n: number) => Array.from({ length: n }, (_, i) => 100 + Math.round(50 * Math.sin(i / 500)));

describe('keptIndices', () => {
  it('keeps a short series whole', () => {
    expect(keptIndices([3, 1, 2], 10)).toEqual([0, 1, 2]);
  });

  it('caps a long series and keeps its ends, a one-sample spike and a one-sample dip', () => {
    const v: (number | null)[] = wave(40_000);
    v[12_345] = 10_000;
    v[30_001] = -5;
    const idx = keptIndices(v, 1000);
    expect(idx.length).toBeLessThanOrEqual(1000);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(39_999);
    expect(idx).toContain(12_345);
    expect(idx).toContain(30_001);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    // The kept points span the same range as all of them.
    const kept = idx.map((i) => v[i] as number);
    expect(Math.max(...kept)).toBe(10_000);
    expect(Math.min(...kept)).toBe(-5);
  });

  it('keeps a gap (null) so the line still breaks there', () => {
    const v: (number | null)[] = wave(10_000);
    v[7_777] = null;
    expect(keptIndices(v, 500)).toContain(7_777);
  });
});

describe('downsampleSeries', () => {
  it('gives stacked series of one length the same points, chosen on their sum', () => {
    const n = 20_000;
    const a = { name: 'a', stack: 's', points: Array.from({ length: n }, (_, i) => [i * 15_000, 2] as [number, number]) };
    const b = { name: 'b', stack: 's', points: Array.from({ length: n }, (_, i) => [i * 15_000, i === 4_321 ? 50 : 1] as [number, number]) };
    const [da, db] = downsampleSeries([a, b], 600);
    expect(da!.points.map((p) => p[0])).toEqual(db!.points.map((p) => p[0]));
    expect(db!.points.length).toBeLessThanOrEqual(600);
    expect(db!.points).toContainEqual([4_321 * 15_000, 50]);
  });

  it('leaves series under the cap as they are', () => {
    const s = { name: 'x', points: [[0, 1], [1, null], [2, 3]] as [number, number | null][] };
    expect(downsampleSeries([s])[0]).toBe(s);
  });
});
