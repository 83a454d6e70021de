import { InvalidArgumentError, type Command } from 'commander';
import { EXIT, setOutcome } from '../boundary.ts';
import { helpFooter } from '../help.ts';
import type { Scenario } from '../../../scenarios/index.ts';

interface PipelinesOptions {
  out?: string;
  replay: boolean;
  backend: 'local';
  cost?: string;
  allowOutsideCurves?: boolean;
}

/** The three ways the same metric reaches an HPA, each a shipped overlay (`manifests/overlays/`). */
const PIPELINES = [
  { name: 'adapter', overlay: 'overlays/local', path: 'exporter → Prometheus → prometheus-adapter → HPA' },
  { name: 'keda-prometheus', overlay: 'overlays/local-keda-prometheus', path: "exporter → Prometheus → KEDA's prometheus trigger → HPA" },
  { name: 'keda-sls', overlay: 'overlays/local-keda', path: "SLS → KEDA's SLS external scaler → HPA" },
] as const;

/**
 * `ebbflow pipelines`: one scenario's curve and expectations through the three pipelines, its own
 * `manifests:` replaced by each pipeline's overlay, replayed one after the other through the replay
 * engine (or simulated), and compared on one page (reports/pipelines.ts).
 */
async function pipelines(file: string, opts: PipelinesOptions): Promise<void> {
  const { join, resolve, relative } = await import('node:path');
  const { loadScenario } = await import('../../../scenarios/index.ts');
  const { layerPrices, readPricesFile } = await import('../../../core/prices.ts');
  const { manifestsSource } = await import('../../../manifests/files.ts');
  const { MANIFESTS_DIR } = await import('../../../manifests/index.ts');
  const { loadSystemManifests } = await import('../../../simulator/index.ts');
  const { writeOutputFile, makeOutputDir } = await import('../../../core/files.ts');
  const { pipelinesHtml, pipelinesMarkdown } = await import('../../../reports/pipelines.ts');
  const { simulateRuns, replayRuns } = await import('./migrate.ts');

  const scenario = await loadScenario(file, { allowOutsideCurves: opts.allowOutsideCurves });
  if (opts.cost !== undefined) scenario.cost = layerPrices(scenario.cost, readPricesFile(opts.cost));
  const out = resolve(opts.out ?? 'out-pipelines');
  makeOutputDir(out);
  // The overlays are ebbflow's own: read wherever the command runs from.
  const runs = PIPELINES.map((p) => {
    const scn: Scenario = { ...scenario, name: `${scenario.name}-${p.name}`, manifestGrants: { ...scenario.manifestGrants, allowOutside: true } };
    return { ...p, scenario: scn, manifestsPath: join(MANIFESTS_DIR, p.overlay) };
  });
  // Simulated in any case (seconds): beside a replay, it separates the pipelines' modelled delays from the control plane's timing.
  const simulated = await simulateRuns(await Promise.all(runs.map(async (r) => ({ name: r.name, scenario: r.scenario, manifests: await loadSystemManifests(manifestsSource(r.scenario, r.manifestsPath)) }))), opts.replay ? undefined : out);
  const views = opts.replay ? await replayRuns(runs.map((r) => ({ name: r.name, scenario: r.scenario, manifestsPath: r.manifestsPath, kind: r.path })), out, opts.backend) : simulated;
  const asRuns = (vs: typeof views) => runs.map((r, i) => ({ name: r.name, path: r.path, timeline: vs[i]!.timeline, basis: vs[i]!.basis, results: vs[i]!.results }));
  const pipelineRuns = asRuns(views);
  const page = { scenario: relative(process.cwd(), scenario.file), how: opts.replay ? `replayed on the ${opts.backend} control plane, one after the other` : 'simulated', ...(opts.replay ? { simulated: asRuns(simulated) } : {}) };
  const markdown = pipelinesMarkdown(pipelineRuns, page);
  writeOutputFile(join(out, 'summary.md'), markdown);
  writeOutputFile(join(out, 'report.html'), pipelinesHtml(pipelineRuns, page));
  process.stdout.write(`${markdown}\nsummary: ${relative(process.cwd(), join(out, 'summary.md'))}; page: ${relative(process.cwd(), join(out, 'report.html'))}; each run's reports: ${runs.map((r) => `${relative(process.cwd(), join(out, r.name))}/`).join(', ')}\n`);
  setOutcome(pipelineRuns.every((r) => r.results.every((x) => x.passed)) ? EXIT.ok : EXIT.failed);
}

export function register(program: Command): void {
  program
    .command('pipelines')
    .description("Replay one scenario through three metric pipelines — exporter → Prometheus → prometheus-adapter → HPA, exporter → Prometheus → KEDA's prometheus trigger, SLS → KEDA's SLS scaler — and compare metric lag, slowest reaction, peak replicas, SLO coverage and cost on one page")
    .argument('<scenario>', "scenario file whose curve and expectations the three runs share (its manifests: is replaced by each pipeline's overlay), e.g. scenarios/smoke.yaml")
    .option('--out <dir>', "write summary.md, report.html and each run's reports (adapter/, keda-prometheus/, keda-sls/) here (default: out-pipelines)")
    .option('--no-replay', 'simulate the three pipelines (seconds) instead of replaying them on a control plane (minutes)')
    .option('--backend <backend>', 'where the replays run: local (processes, KWOK nodes, KEDA beside them)', (v: string) => {
      if (v !== 'local') throw new InvalidArgumentError('expected local (KEDA runs beside the local cluster only).');
      return v;
    }, 'local')
    .option('--cost <file>', "your prices (YAML or JSON, the scenario's cost: format): laid over the scenario's cost:")
    .option('--allow-outside-curves', "read curve files outside the scenario's directory (only for scenarios you trust)")
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow pipelines scenarios/smoke.yaml', 'npx ebbflow pipelines scenarios/smoke.yaml --no-replay --out out-pipelines-sim/'], ok: 'every pipeline met every expectation', failed: 'a pipeline failed an expectation (the table says which)', interrupted: "interrupted (the running replay's partial report written)" }))
    .action(pipelines);
}
