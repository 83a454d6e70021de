import { create } from 'xmlbuilder2';
import type { CheckResult } from '../core/checks/expectations.ts';

/** JUnit XML: one test suite per scenario, one test case per expectation, failures with the reason. */
export function toJUnit(scenario: string, results: CheckResult[], seconds: number, extra: { errors?: string[] } = {}): string {
  const failures = results.filter((r) => !r.passed).length;
  const errors = extra.errors ?? [];
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: 'ebbflow',
    tests: results.length + errors.length,
    failures,
    errors: errors.length,
    time: seconds.toFixed(3),
  });
  const suite = root.ele('testsuite', { name: scenario, tests: results.length + errors.length, failures, errors: errors.length, time: seconds.toFixed(3) });
  for (const r of results) {
    const tc = suite.ele('testcase', { classname: `ebbflow.${scenario}`, name: r.name });
    if (!r.passed) tc.ele('failure', { message: r.message, type: 'ExpectationFailed' }).txt(r.message);
    else tc.ele('system-out').txt(r.message);
  }
  errors.forEach((e, i) => suite.ele('testcase', { classname: `ebbflow.${scenario}`, name: `replay-error-${i + 1}` }).ele('error', { message: e }).txt(e));
  return root.end({ prettyPrint: true }) + '\n';
}
