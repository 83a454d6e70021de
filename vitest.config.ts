import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';

/** The part of vitest's reported tasks the summary reads (a TestModule or TestSuite). */
export interface SummarySuite {
  state(): string;
  errors(): unknown[];
  children: { allTests(): Iterable<{ result(): { state: string } }>; allSuites(): Iterable<SummarySuite> };
}

/**
 * The one summary line. A suite whose hook failed (beforeAll overran its timeout, say) or a module
 * that failed to load leaves its tests "skipped" although nothing was skipped by choice: those count
 * as failed suites, and the line starts with FAILED, so a CI log reader cannot mistake such a run
 * for a pass.
 */
export function summaryLine(modules: ReadonlyArray<SummarySuite>, unhandledErrors = 0): string {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let failedSuites = 0;
  for (const m of modules) {
    for (const suite of [m, ...m.children.allSuites()]) {
      // A failure propagates to every enclosing suite: count only where it happened.
      const testFailed = [...suite.children.allTests()].some((t) => t.result().state === 'failed');
      const innerFailed = [...suite.children.allSuites()].some((s) => s.state() === 'failed');
      if ((suite.state() === 'failed' && !testFailed && !innerFailed) || suite.errors().length > 0) failedSuites++;
    }
    for (const t of m.children.allTests()) {
      const s = t.result().state;
      if (s === 'passed') passed++;
      else if (s === 'failed') failed++;
      else skipped++;
    }
  }
  const parts = [`${passed} passed`, `${failed} failed`];
  if (skipped) parts.push(`${skipped} skipped`);
  if (failedSuites) parts.push(`${failedSuites} failed suite${failedSuites === 1 ? '' : 's'} (a hook or the file itself)`);
  if (unhandledErrors) parts.push(`${unhandledErrors} unhandled error${unhandledErrors === 1 ? '' : 's'}`);
  return `${failed || failedSuites || unhandledErrors ? 'FAILED: ' : ''}${parts.join(', ')}`;
}

/** Ends the run with one plain line that any CI log reader understands. */
class SummaryLine implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    process.stdout.write(`\n${summaryLine(modules, unhandledErrors.length)}\n`);
  }
}

// Unit tests run in parallel and fast; e2e tests share one machine's ports and CPU with real
// control-plane processes, so they run one file at a time with generous timeouts.
export default defineConfig({
  test: {
    reporters: ['default', new SummaryLine()],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.e2e.test.ts', 'node_modules/**', 'dist/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          fileParallelism: false,
          // One local control plane for the files that call sharedCluster() (cluster/local/testing.ts),
          // one kind cluster, started on the first request, for those that call sharedKindCluster() (cluster/kind/testing.ts).
          globalSetup: ['cluster/local/shared-cluster.setup.ts', 'cluster/kind/shared-cluster.setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          pool: 'forks',
        },
      },
    ],
  },
});
