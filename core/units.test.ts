import { describe, expect, it } from 'vitest';
import { cpuCores, formatDuration, formatQuantity, isDuration, isQuantity, memoryGiB, parseDuration, parseQuantity } from './units.ts';

describe('quantities', () => {
  it.each([
    ['2721', 2721], ['6k', 6000], ['1500m', 1.5], ['2.5k', 2500], ['1Mi', 2 ** 20], ['16384Mi', 16 * 2 ** 30], ['1e3', 1000], ['.5', 0.5], [' 4 ', 4],
  ])('%s → %d', (q, v) => expect(parseQuantity(q)).toBe(v));

  it.each(['', 'k', '1kk', '1 k', 'abc', '0x10', '1,000', 'NaN', 'Infinity', '1e999'])('refuses %j', (q) => expect(() => parseQuantity(q)).toThrow(/quantity/));

  it('isQuantity says exactly what parseQuantity takes', () => {
    for (const q of ['4', '500m', '16Gi', '1e3', '-2', ' 4 ']) expect([q, isQuantity(q)]).toEqual([q, true]);
    for (const q of ['', '16 gigs', '1e999', '1kk', '16gi']) {
      expect([q, isQuantity(q)]).toEqual([q, false]);
      expect(() => parseQuantity(q)).toThrow(/quantity/);
    }
  });

  it('cpu and memory in the units the simulator bills', () => {
    expect(cpuCores('500m')).toBe(0.5);
    expect(memoryGiB('16384Mi')).toBe(16);
    expect(memoryGiB('512Mi')).toBe(0.5);
  });

  it('formats like the HPA prints', () => {
    expect(formatQuantity(2500)).toBe('2500');
    expect(formatQuantity(2.5)).toBe('2500m');
    expect(formatQuantity(2.0000001)).toBe('2');
  });
});

describe('durations', () => {
  it.each([
    ['15s', 15], ['1m30s', 90], ['5m', 300], ['1h', 3600], ['250ms', 0.25], ['30', 30], ['1d', 86_400],
  ])('%s → %d s', (d, v) => expect(parseDuration(d)).toBe(v));

  it.each(['', 's', '1x', '-5s', '1m 30s', '5 m'])('refuses %j', (d) => expect(() => parseDuration(d)).toThrow(/duration/));

  it('isDuration says exactly what parseDuration takes', () => {
    for (const d of ['15s', '1m30s', '250ms', '30', ' 5m ', '1.5h', '0s']) expect([d, isDuration(d)]).toEqual([d, true]);
    for (const d of ['', 's', '1x', '-5s', '1m 30s', '5 m', '5M', '1e3s']) {
      expect([d, isDuration(d)]).toEqual([d, false]);
      expect(() => parseDuration(d)).toThrow(/duration/);
    }
  });

  it('round-trips through the Go format', () => {
    for (const s of [0.25, 1, 15, 90, 300, 3600, 3725.5]) expect(parseDuration(formatDuration(s))).toBeCloseTo(s, 6);
    expect(formatDuration(90)).toBe('1m30s');
  });
});
