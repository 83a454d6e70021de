import type { Command } from 'commander';
import { SCENARIO_BOUNDS } from '../../../scenarios/bounds.ts';
import { backend, clusterName, numberIn, type Backend } from '../options.ts';

export function register(program: Command): void {
  program
    .command('replay')
    .description('Replay a scenario on a local cluster (fake SLS → exporter → Prometheus → adapter → real HPA → ElasticWorkload), check its expectations and write reports')
    .argument('<scenario>', 'scenario file, e.g. scenarios/smoke.yaml')
    .option('--out <dir>', 'where report.html, junit.xml, summary.md and timeline.jsonl go', 'out')
    .option('--baseline <file>', 'timeline.jsonl of an earlier run; the baseline expectation compares against it')
    .option('--compression <k>', 'override the scenario compression factor', numberIn(SCENARIO_BOUNDS.compression.min, SCENARIO_BOUNDS.compression.max))
    .option('--cluster-name <name>', 'name of the local cluster (default replay-<scenario>)', clusterName)
    .option('--allow-outside-curves', 'read curve files outside the scenario\'s directory (only for scenarios you trust)')
    .option('--manifests <path>', "your system's manifests: a kustomize directory, a folder of YAML or one file (default: the scenario's manifests:, else the shipped ones)")
    .option('--allow-exporter-command', 'run the program a scenario names in exporter.command (only for scenarios you trust)')
    .option('--backend <backend>', "where it runs: local (processes, KWOK nodes), kind (Docker: the exporter and workload as pods, ECI as a virtual-kubelet) or existing (a cluster ebbflow did not create: --kubeconfig, --namespace); default: the scenario's backend:, else local", backend)
    .option('--kubeconfig <file>', 'with --backend existing: the cluster to replay against')
    .option('--namespace <name>', 'with --backend existing: the namespace ebbflow creates and owns there')
    .option('--context <name>', 'with --backend existing: the kubeconfig context (default: its current-context)')
    .option('--host-address <addr>', 'with --backend existing: where the cluster\'s pods reach this machine (the fake SLS; ebbflow\'s adapter if the cluster has none); default: the address this machine uses towards the API server')
    .option('--report-fidelity', 'also run the simulator on the same scenario: overlay it on the report, put the agreement (equal / within ±1) and samples taken late in the summary, and print them')
    .option('--with-sim', 'the same as --report-fidelity (older name)')
    .addHelpText('after', '\nExit codes: 0 every expectation met, 1 an expectation failed, 2 bad input or environment, 130 interrupted (partial report written).')
    .action(async (file: string, opts: { out: string; baseline?: string; compression?: number; clusterName?: string; allowOutsideCurves?: boolean; allowExporterCommand?: boolean; withSim?: boolean; reportFidelity?: boolean; manifests?: string } & BackendFlags) => {
      const { loadScenario } = await import('../../../scenarios/index.ts');
      const { runReplay } = await import('../../replay/engine.ts');
      const { createLogger } = await import('../../../core/log.ts');
      const { createReplayProgress } = await import('../replay-progress.ts');
      // Everything the user gave is checked here, before a cluster or a toolchain build starts.
      const scenario = await loadScenario(file, { allowOutsideCurves: opts.allowOutsideCurves, allowExporterCommand: opts.allowExporterCommand, compression: opts.compression });
      if ((opts.backend ?? scenario.backend) === 'existing') await warnExistingCompression(scenario.compression);
      if (opts.baseline !== undefined) {
        const { readUserFile } = await import('../../../core/files.ts');
        await readUserFile(opts.baseline, 'baseline timeline', 'give the timeline.jsonl of an earlier run');
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
        const r = await runReplay({ scenario, out: opts.out, baselineFile: opts.baseline, ...backendOptions(opts), ...(opts.manifests !== undefined ? { manifestsPath: opts.manifests } : {}), clusterName: opts.clusterName, onManifestWarning: (w) => process.stderr.write(`warning: ${w}\n`), signal: ac.signal, logger: createLogger('replay', process.env.EBBFLOW_LOG_LEVEL ?? 'warn'), onProgress: (p) => {
            toolchainProgress.stop();
            bar.update(p);
          }, toolchainProgress });
        bar.stop();
        if (opts.reportFidelity || opts.withSim) {
          const { simulate, systemFromScenario, loadSystemManifests } = await import('../../../simulator/index.ts');
          const { manifestsPathFor } = await import('../../../manifests/index.ts');
          const { writeReports } = await import('../../../reports/index.ts');
          const { simAgreement, describeAgreement } = await import('../../../reports/agreement.ts');
          const system = systemFromScenario(scenario, await loadSystemManifests(manifestsPathFor(scenario, opts.manifests)));
          const sim = simulate(scenario, system).timeline!;
          writeReports(opts.out, r.timeline, r.results, { wallSeconds: r.wallSeconds, warnings: r.warnings, sim, ...(r.baseline ? { baseline: r.baseline, pod: system.pod, cost: system.cost } : {}) });
          for (const a of simAgreement(r.timeline, sim)) process.stdout.write(`simulator agreement ${describeAgreement(a)}\n`);
        }
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

type BackendFlags = { backend?: Backend; kubeconfig?: string; namespace?: string; context?: string; hostAddress?: string };

/** The backend flags as runReplay takes them (absent ones left to the scenario). */
function backendOptions(o: BackendFlags): BackendFlags {
  return Object.fromEntries(Object.entries({ backend: o.backend, kubeconfig: o.kubeconfig, namespace: o.namespace, context: o.context, hostAddress: o.hostAddress }).filter(([, v]) => v !== undefined)) as BackendFlags;
}

/** Told before the run, not only in the report: the user may prefer k=1 once they read it. */
async function warnExistingCompression(k: number): Promise<void> {
  const { existingCompressionNote } = await import('../../../cluster/existing/fidelity.ts');
  const note = existingCompressionNote(k);
  if (note) process.stderr.write(`fidelity warning: ${note}\n`);
}
