import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import { MAX_CONFIGURATIONS, parseVary, product, sweepSize } from './sweep.ts';

describe('sweep bounds, checked before anything is built', () => {
  it('refuses three wide ranges by arithmetic, in milliseconds and without allocating the product', () => {
    const varies = ['target=1..100000', 'sourceMax=0..2000', 'stabilization=0..3600'].map(parseVary);
    const rss = process.memoryUsage().rss;
    const t0 = performance.now();
    expect(() => product(varies)).toThrow(UserError);
    expect(() => product(varies)).toThrow('--vary target (100,000) × sourceMax (2,001) × stabilization (3,601) make 720,560,100,000 configurations, more than the limit of 200,000');
    expect(performance.now() - t0).toBeLessThan(500);
    expect(process.memoryUsage().rss - rss).toBeLessThan(50 * 1024 * 1024);
  });

  it('builds a sweep at the limit, and counts it the same', () => {
    const varies = ['target=1..400', 'sourceMax=1..500'].map(parseVary);
    expect(sweepSize(varies)).toBe(MAX_CONFIGURATIONS);
    const configs = product(varies);
    expect(configs.length).toBe(MAX_CONFIGURATIONS);
    expect(configs[0]).toEqual({ target: 1, sourceMax: 1 });
    expect(configs.at(-1)).toEqual({ target: 400, sourceMax: 500 });
    expect(() => product([...varies, parseVary('tolerance=0.1,0.2')])).toThrow(/make 400,000 configurations/);
  });

  it('refuses a key given twice, naming it', () => {
    expect(() => product(['target=800..1200:100', 'sourceMax=0..2', 'target=900'].map(parseVary))).toThrow('--vary target is given twice');
  });
});
