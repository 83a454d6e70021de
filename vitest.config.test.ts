import { describe, expect, it } from 'vitest';
import { summaryLine, type SummarySuite } from './vitest.config.ts';

type State = 'passed' | 'failed' | 'skipped' | 'pending';
const test = (state: State) => ({ result: () => ({ state }) });
function suite(state: string, tests: ReturnType<typeof test>[], suites: SummarySuite[] = [], errors: unknown[] = []): SummarySuite {
  const all = (): ReturnType<typeof test>[] => [...tests, ...suites.flatMap((s) => [...s.children.allTests()] as ReturnType<typeof test>[])];
  const allSuites = (): SummarySuite[] => suites.flatMap((s) => [s, ...s.children.allSuites()]);
  return { state: () => state, errors: () => errors, children: { allTests: all, allSuites } };
}

describe('the one-line test summary', () => {
  it('counts passes, failures and skips of a clean run', () => {
    expect(summaryLine([suite('passed', [test('passed'), test('passed')]), suite('skipped', [test('skipped')])])).toBe('2 passed, 0 failed, 1 skipped');
  });

  it('a failed beforeAll is a failure, not nine skips', () => {
    // What vitest reports when a hook overruns: the suite failed, its tests skipped, none failed.
    const hooked = suite('failed', [], [suite('failed', Array.from({ length: 9 }, () => test('skipped')))]);
    const line = summaryLine([suite('passed', [test('passed')]), hooked]);
    expect(line).toMatch(/^FAILED: /);
    expect(line).toContain('9 skipped');
    expect(line).toContain('1 failed suite');
  });

  it('a file that fails to load, and unhandled errors, are failures', () => {
    expect(summaryLine([suite('failed', [], [], [new Error('SyntaxError')])])).toBe('FAILED: 0 passed, 0 failed, 1 failed suite (a hook or the file itself)');
    expect(summaryLine([suite('passed', [test('passed')])], 2)).toBe('FAILED: 1 passed, 0 failed, 2 unhandled errors');
  });

  it('a suite failing because of its own failed test is counted once, as the test', () => {
    expect(summaryLine([suite('failed', [], [suite('failed', [test('failed'), test('passed')])])])).toBe('FAILED: 1 passed, 1 failed');
  });
});
