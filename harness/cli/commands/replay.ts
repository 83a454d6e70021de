import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('replay')
    .description('Replay a scenario on a local cluster (fake SLS → exporter → Prometheus → adapter → real HPA → ElasticWorkload), check its expectations and write reports')
    .argument('<scenario>', 'scenario file, e.g. scenarios/smoke.yaml')
    .option('--out <dir>', 'where report.html, junit.xml, summary.md and timeline.jsonl go', 'out')
    .option('--baseline <file>', 'timeline.jsonl of an earlier run; the baseline expectation compares against it')
    .option('--compression <k>', 'override the scenario compression factor', (v) => Number(v))
    .option('--cluster-name <name>', 'name of the local cluster (default replay-<scenario>)')
    .addHelpText('after', '\nExit codes: 0 every expectation met, 1 an expectation failed, 2 bad input or environment, 130 interrupted (partial report written).')
    .action(async (file: string, opts: { out: string; baseline?: string; compression?: number; clusterName?: string }) => {
      const { loadScenario } = await import('../../../scenarios/index.ts');
      const { runReplay } = await import('../../replay/engine.ts');
      const { UserError } = await import('../../common/errors.ts');
      const { createLogger } = await import('../../common/log.ts');
      const { createReplayProgress } = await import('../replay-progress.ts');
      const { validateClusterName } = await import('../../../cluster/local/index.ts');
      if (opts.clusterName !== undefined) validateClusterName(opts.clusterName, '--cluster-name');
      const scenario = await loadScenario(file);
      if (opts.compression !== undefined) {
        if (!(opts.compression >= 1 && opts.compression <= 600)) throw new UserError(`--compression must be between 1 and 600, got ${opts.compression}`);
        scenario.compression = opts.compression;
      }
      // Library code only sees an AbortSignal; signals and exit codes are this command's.
      const ac = new AbortController();
      let signals = 0;
      const onSignal = () => {
        signals++;
        if (signals === 1) {
          process.stderr.write('\ninterrupted: stopping the replay and writing what was recorded (Ctrl-C again to abandon the report)\n');
          ac.abort();
        } else process.exit(130);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const { createToolchainProgress } = await import('../toolchain-progress.ts');
      const bar = createReplayProgress(scenario.name);
      const toolchainProgress = createToolchainProgress();
      try {
        const r = await runReplay({ scenario, out: opts.out, baselineFile: opts.baseline, clusterName: opts.clusterName, signal: ac.signal, logger: createLogger('replay', process.env.EBBFLOW_LOG_LEVEL ?? 'warn'), onProgress: (p) => {
            toolchainProgress.stop();
            bar.update(p);
          }, toolchainProgress });
        bar.stop();
        for (const w of r.warnings) process.stderr.write(`fidelity warning: ${w}\n`);
        for (const res of r.results) process.stdout.write(`${res.passed ? 'PASS' : 'FAIL'}  ${res.name}: ${res.message}\n`);
        process.stdout.write(`\n${r.interrupted ? 'INTERRUPTED' : r.passed ? 'PASSED' : 'FAILED'} in ${r.wallSeconds.toFixed(0)} s — report: ${r.files.html}\n  junit: ${r.files.junit}\n  summary: ${r.files.markdown}\n  timeline: ${r.files.timeline}\n`);
        process.exitCode = r.interrupted ? 130 : r.passed ? 0 : 1;
      } catch (e) {
        toolchainProgress.stop();
        bar.stop();
        const reports = (e as { reports?: { html: string } }).reports;
        if (reports) process.stderr.write(`partial report: ${reports.html}\n`);
        throw e;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
