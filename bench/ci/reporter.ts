import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import type { FileFigure } from './figures.ts';

/**
 * A vitest reporter for `bench:ci`: each test file's wall time as the vitest process saw it, from
 * queued to ended (vitest's JSON reporter times a file from its first test to its last, which
 * leaves out the beforeAll/afterAll hooks where clusters start and stop). Writes the files' figures
 * as JSON to `$EBBFLOW_BENCH_CI_OUT` when the run ends.
 */
export default class BenchCiReporter implements Reporter {
  private readonly queued = new Map<string, number>();
  private readonly files: FileFigure[] = [];

  onTestModuleQueued(m: TestModule): void {
    this.queued.set(m.moduleId, performance.now());
  }

  onTestModuleEnd(m: TestModule): void {
    const end = performance.now();
    const tests = { passed: 0, failed: 0, skipped: 0 };
    for (const t of m.children.allTests()) {
      const s = t.result().state;
      if (s === 'passed') tests.passed++;
      else if (s === 'failed') tests.failed++;
      else tests.skipped++;
    }
    this.files.push({
      file: relative(m.project.config.root, m.moduleId),
      project: m.project.name,
      seconds: Math.round(end - (this.queued.get(m.moduleId) ?? end)) / 1000,
      hooksAndTests: Math.round(m.diagnostic().duration) / 1000,
      state: m.state(),
      tests,
    });
  }

  onTestRunEnd(): void {
    const out = process.env.EBBFLOW_BENCH_CI_OUT;
    if (out) writeFileSync(out, JSON.stringify(this.files, null, 2));
  }
}
