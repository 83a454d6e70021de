import { Option, type Command } from 'commander';
import type { ReplayResult } from '../../replay/engine/engine.ts';
import type { BackendName } from '../../replay/backends/index.ts';
import { SCENARIO_BOUNDS } from '../../../scenarios/bounds.ts';
import { EXIT, interruptible, setOutcome } from '../boundary.ts';
import { backend, clusterName, kubeconfigOf, manifestGrants, numberIn, renamedOption, type ManifestFlags } from '../options.ts';
import { helpFooter } from '../help.ts';

interface ReplayFlags extends ManifestFlags {
  out: string;
  baseline?: string;
  cost?: string;
  compression?: number;
  clusterName?: string;
  allowOutsideCurves?: boolean;
  allowExporterCommand?: boolean;
  reportFidelity?: boolean;
  manifests?: string;
  backend?: BackendName;
  kubeconfig?: string;
  namespace?: string;
  context?: string;
  hostAddress?: string;
  output: 'text' | 'json';
}

/** The flags as runReplay takes them (absent ones left to the scenario). */
function replayFlags(o: ReplayFlags) {
  const given = { backend: o.backend, kubeconfig: o.kubeconfig, namespace: o.namespace, context: o.context, hostAddress: o.hostAddress, manifestsPath: o.manifests, clusterName: o.clusterName };
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<typeof given>;
}

/** `-o json`: the result as one JSON document, what results.json holds plus the run's outcome and files. */
async function printJson(r: ReplayResult, fidelity: string[]): Promise<void> {
  const { noiselessNumbers } = await import('../../../core/json.ts');
  const doc = { passed: r.passed, interrupted: r.interrupted, wallSeconds: r.wallSeconds, results: r.results, warnings: r.warnings, ...(fidelity.length ? { fidelity } : {}), files: r.files };
  process.stdout.write(`${JSON.stringify(doc, noiselessNumbers, 2)}\n`);
}

function printResult(r: ReplayResult): void {
  for (const w of r.warnings) process.stderr.write(`fidelity warning: ${w}\n`);
  for (const res of r.results) process.stdout.write(`${res.passed ? 'PASS' : 'FAIL'}  ${res.name}: ${res.message}\n`);
  if (r.figures) process.stdout.write(`\n${r.figures}\n`);
  process.stdout.write(`\n${r.interrupted ? 'INTERRUPTED' : r.passed ? 'PASSED' : 'FAILED'} in ${r.wallSeconds.toFixed(0)} s — report: ${r.files.html}\n  junit: ${r.files.junit}\n  summary: ${r.files.markdown}\n  timeline: ${r.files.timeline}\n`);
}

async function replay(file: string, opts: ReplayFlags): Promise<void> {
  const { loadScenario } = await import('../../../scenarios/index.ts');
  const { runReplay } = await import('../../replay/engine/engine.ts');
  const { backendNamed } = await import('../../replay/backends/index.ts');
  const { createLogger } = await import('../../../core/log.ts');
  const { createReplayProgress } = await import('../replay-progress.ts');
  const { createToolchainProgress } = await import('../toolchain-progress.ts');
  // Everything the user gave is checked here, before a cluster or a toolchain build starts.
  const scenario = await loadScenario(file, { allowOutsideCurves: opts.allowOutsideCurves, allowExporterCommand: opts.allowExporterCommand, compression: opts.compression, ...manifestGrants(opts) });
  if (opts.cost !== undefined) {
    const { layerPrices, readPricesFile } = await import('../../../core/prices.ts');
    scenario.cost = layerPrices(scenario.cost, readPricesFile(opts.cost));
  }
  // Told before the run, not only in the report: the user may prefer another k once they read it.
  for (const note of (await backendNamed(opts.backend ?? scenario.backend)).notes?.(scenario) ?? []) process.stderr.write(`fidelity warning: ${note}\n`);
  if ((opts.backend ?? scenario.backend) === 'existing') opts.kubeconfig = kubeconfigOf(opts.kubeconfig, process.env, '--backend existing');
  if (opts.baseline !== undefined) {
    const { readUserFile } = await import('../../../core/files.ts');
    await readUserFile(opts.baseline, 'baseline timeline', 'give the timeline.jsonl of an earlier run');
  }
  const bar = createReplayProgress(scenario.name);
  const toolchainProgress = createToolchainProgress();
  try {
    const r = await interruptible(
      (signal) => runReplay({ scenario, out: opts.out, baselineFile: opts.baseline, ...replayFlags(opts), onManifestWarning: (w) => process.stderr.write(`warning: ${w}\n`), signal, logger: createLogger('replay', process.env.EBBFLOW_LOG_LEVEL ?? 'warn'), onProgress: (p) => {
          toolchainProgress.stop();
          bar.update(p);
        }, toolchainProgress }),
      { onSignal: 'stopping the replay and writing what was recorded (Ctrl-C again to abandon the report)' },
    );
    bar.stop();
    const fidelity: string[] = [];
    if (opts.reportFidelity) {
      const { reportFidelity } = await import('../../replay/engine/fidelity.ts');
      fidelity.push(...(await reportFidelity(scenario, opts.manifests, opts.out, r)));
    }
    if (opts.output === 'json') await printJson(r, fidelity);
    else {
      for (const line of fidelity) process.stdout.write(`${line}\n`);
      printResult(r);
    }
    setOutcome(r.interrupted ? EXIT.interrupted : r.passed ? EXIT.ok : EXIT.failed);
  } catch (e) {
    toolchainProgress.stop();
    bar.stop();
    const reports = (e as { reports?: { html: string } }).reports;
    if (reports) process.stderr.write(`partial report: ${reports.html}\n`);
    throw e;
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('replay')
    .description('Replay a scenario on a local cluster (fake SLS → exporter → Prometheus → adapter → real HPA → ElasticWorkload), check its expectations and write reports')
    .argument('<scenario>', 'scenario file, e.g. scenarios/smoke.yaml')
    .option('--out <dir>', 'where report.html, junit.xml, summary.md, results.json and timeline.jsonl go (replay, simulate and whatif default to out, out-sim and out-whatif: one never overwrites another)', 'out')
    .option('--baseline <file>', 'timeline.jsonl of an earlier run; the baseline expectation compares against it')
    .option('--cost <file>', "your prices (YAML or JSON, the scenario's cost: format) for the summary's and the report's cost: laid over the scenario's cost:")
    .option('--compression <k>', 'override the scenario compression factor', numberIn(SCENARIO_BOUNDS.compression.min, SCENARIO_BOUNDS.compression.max))
    .option('--cluster-name <name>', 'name of the local cluster (default replay-<scenario>)', clusterName)
    .option('--allow-outside-curves', 'read curve files outside the scenario\'s directory (only for scenarios you trust)')
    .option('--manifests <path>', "your system's manifests: a kustomize directory, a folder of YAML or one file (default: the scenario's manifests:, else the shipped ones)")
    .option('--allow-outside-manifests', 'read manifests (and the files their kustomization reads) outside the scenario\'s directory and the current one (only for scenarios you trust)')
    .option('--allow-remote-manifests', 'let kustomize fetch URL and git resources of the manifests (only for manifests you trust)')
    .option('--allow-exporter-command', 'run the program a scenario names in exporter.command (only for scenarios you trust)')
    .option('--backend <backend>', "where it runs: local (processes, KWOK nodes), kind (Docker: the exporter and workload as pods, ECI as a virtual-kubelet) or existing (a cluster ebbflow did not create: --kubeconfig, --namespace); default: the scenario's backend:, else local", backend)
    .option('--kubeconfig <file>', 'with --backend existing: the cluster to replay against (default: $KUBECONFIG)')
    .option('--namespace <name>', 'with --backend existing: the namespace ebbflow creates and owns there')
    .option('--context <name>', 'with --backend existing: the kubeconfig context (default: its current-context)')
    .option('--host-address <addr>', 'with --backend existing: where the cluster\'s pods reach this machine (the fake SLS; ebbflow\'s adapter if the cluster has none); default: the address this machine uses towards the API server')
    .addOption(new Option('-o, --output <format>', 'what stdout gets: text (PASS/FAIL lines and where the reports are) or json (the results and the files written, as one JSON document); progress stays on stderr').choices(['text', 'json']).default('text'))
    .option('--report-fidelity', 'also run the simulator on the same scenario: overlay it on the report, put the agreement (equal / within ±1) and samples taken late in the summary, and print them')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow replay scenarios/smoke.yaml --out out/', 'npx ebbflow replay ebbflow/scenario.yaml --manifests deploy/overlays/prod --baseline main/timeline.jsonl', 'npx ebbflow replay scenarios/smoke.yaml --backend existing --kubeconfig ~/.kube/config --namespace ebbflow-replay'], ok: 'every expectation met', failed: 'an expectation failed', interrupted: 'interrupted (partial report written)' }))
    .action(replay);
  renamedOption(cmd, '--with-sim', '--report-fidelity');
}
