import { describe, expect, it } from 'vitest';
import { compareRuns, formatRun, isRunFigures, sortedFiles, type FileFigure, type RunFigures } from './figures.ts';

const file = (name: string, seconds: number, failed = 0): FileFigure => ({ file: name, project: 'e2e', seconds, hooksAndTests: seconds - 1, state: failed ? 'failed' : 'passed', tests: { passed: 2, failed, skipped: 0 } });
const run = (files: FileFigure[], totalSeconds: number): RunFigures => ({
  kind: 'ebbflow-bench-ci', measuredAt: '2026-01-01T00:00:00.000Z', args: ['--project', 'e2e'], totalSeconds, exitCode: 0, load: { loadAvgMean: 2, loadAvgMax: 3, busyMean: 50 }, files,
});

describe('bench:ci figures', () => {
  it('sorts files slowest first, ties by name', () => {
    expect(sortedFiles([file('b', 1), file('a', 5), file('c', 1)]).map((f) => f.file)).toEqual(['a', 'b', 'c']);
  });

  it('compares file by file: deltas where both ran, a dash where only one did, totals and sums', () => {
    const before = run([file('x', 30), file('y', 20), file('gone', 5)], 60);
    const after = run([file('y', 8), file('x', 21), file('new', 3)], 40);
    const c = compareRuns(after, before);
    expect(c.rows.map((r) => [r.file, r.before, r.after])).toEqual([['x', 30, 21], ['y', 20, 8], ['new', undefined, 3], ['gone', 5, undefined]]);
    expect(c.rows[0]!.delta).toBeCloseTo(-9);
    expect(c.rows[2]!.delta).toBeUndefined();
    expect(c.total).toMatchObject({ before: 60, after: 40, delta: -20 });
    expect(c.filesSum).toMatchObject({ before: 55, after: 32, delta: -23 });
  });

  it('prints one run with its sum and total, and two runs side by side with signed deltas and ratios', () => {
    const one = formatRun(run([file('a.e2e.test.ts', 12.34), file('b.e2e.test.ts', 40)], 55));
    const lines = one.split('\n');
    expect(lines[2]).toMatch(/^b\.e2e\.test\.ts\s+40\.0 s\s+39\.0 s\s+passed\s+2\/2$/);
    expect(lines[3]).toMatch(/^a\.e2e\.test\.ts\s+12\.3 s/);
    expect(one).toMatch(/sum of files\s+52\.3 s/);
    expect(one).toMatch(/total \(vitest process\)\s+55\.0 s/);
    expect(one).toMatch(/load average mean 2\.0 \/ max 3\.0, cores busy 50 %, exit 0/);
    const two = formatRun(run([file('a', 10)], 20), run([file('a', 25)], 30));
    expect(two).toMatch(/^a\s+25\.0 s\s+10\.0 s\s+−15\.0 s\s+×0\.40$/m);
    expect(two).toMatch(/^total \(vitest process\)\s+30\.0 s\s+20\.0 s\s+−10\.0 s\s+×0\.67$/m);
  });

  it('recognises a saved run and refuses other JSON', () => {
    expect(isRunFigures(run([], 1))).toBe(true);
    expect(isRunFigures({ numTotalTests: 3, testResults: [] })).toBe(false);
    expect(isRunFigures(null)).toBe(false);
  });
});
