import { Option, type Command } from 'commander';
import { EXIT, setOutcome } from '../boundary.ts';
import { intIn, manifestGrants, type ManifestFlags } from '../options.ts';
import { helpFooter } from '../help.ts';

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Simulate a scenario in the fast model (HPA as upstream decides, ElasticWorkload split, ECS/ECI pods, pipeline lag) and write the same reports as a replay')
    .argument('<scenario>', 'scenario file, e.g. scenarios/smoke.yaml')
    .option('--days <n>', 'simulate N whole days of the curve instead of the scenario windows', intIn(1, 3650))
    .option('--allow-outside-curves', 'read curve files outside the scenario\'s directory (only for scenarios you trust)')
    .option('--out <dir>', 'write report.html, junit.xml, summary.md, results.json and timeline.jsonl here (replay, simulate and whatif default to out, out-sim and out-whatif: one never overwrites another)', 'out-sim')
    .option('--manifests <path>', "your system's manifests: a kustomize directory, a folder of YAML or one file (default: the scenario's manifests:, else the shipped ones)")
    .option('--cost <file>', "your prices (YAML or JSON, the scenario's cost: format): laid over the scenario's cost:, which is laid over the built-in prices")
    .option('--baseline <file>', "timeline.jsonl of an earlier run (e.g. the main branch): a before/after table in summary.md, both runs in the report (default: the scenario's baseline expectation's file)")
    .option('--allow-outside-manifests', 'read manifests (and the files their kustomization reads) outside the scenario\'s directory and the current one (only for scenarios you trust)')
    .option('--allow-remote-manifests', 'let kustomize fetch URL and git resources of the manifests (only for manifests you trust)')
    .addOption(new Option('-o, --output <format>', 'what stdout gets: text (PASS/FAIL lines and a summary) or json (the results, the summary and the files written, as one JSON document)').choices(['text', 'json']).default('text'))
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow simulate scenarios/smoke.yaml', 'npx ebbflow simulate ebbflow/scenario.yaml --manifests deploy/overlays/prod --baseline main/timeline.jsonl', 'npx ebbflow simulate scenarios/smoke.yaml --days 7 --cost prices.yaml --out out-week -o json'], ok: 'every expectation met', failed: 'an expectation failed' }))
    .action(async (file: string, opts: { days?: number; out: string; output: 'text' | 'json'; allowOutsideCurves?: boolean; manifests?: string; baseline?: string; cost?: string } & ManifestFlags) => {
      const { UserError } = await import('../../../core/errors.ts');
      const { loadScenario } = await import('../../../scenarios/index.ts');
      const { simulate, systemFromScenario, loadSystemManifests, runBasis } = await import('../../../simulator/index.ts');
      const { layerPrices, readPricesFile } = await import('../../../core/prices.ts');
      const { costOf, describeCost } = await import('../../../core/checks/measures.ts');
      const { manifestsSource } = await import('../../../manifests/files.ts');
      const { readScenarioBaseline } = await import('../../../reports/baseline.ts');
      const { checkAll } = await import('../../../core/checks/checks.ts');
      const { writeReports } = await import('../../../reports/index.ts');
      if (opts.days !== undefined && !(Number.isInteger(opts.days) && opts.days >= 1 && opts.days <= 3650)) throw new UserError(`--days must be an integer from 1 to 3650, got ${opts.days}`);
      const scenario = await loadScenario(file, { allowOutsideCurves: opts.allowOutsideCurves, ...manifestGrants(opts) });
      if (opts.cost !== undefined) scenario.cost = layerPrices(scenario.cost, readPricesFile(opts.cost));
      const { SCENARIO_BOUNDS } = await import('../../../scenarios/index.ts');
      if (opts.days !== undefined && (opts.days * 86_400) / scenario.sampleEverySeconds > SCENARIO_BOUNDS.samplesPerRun.max) {
        throw new UserError(`--days ${opts.days} at one sample every ${scenario.sampleEverySeconds} s is more than ${SCENARIO_BOUNDS.samplesPerRun.max} samples`, 'simulate fewer days, or raise sampleEverySeconds in the scenario');
      }
      const manifests = await loadSystemManifests(manifestsSource(scenario, opts.manifests));
      for (const w of manifests.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      const baseline = await readScenarioBaseline(scenario, opts.baseline);
      const t0 = performance.now();
      const system = systemFromScenario(scenario, manifests);
      const basis = runBasis(scenario, system);
      const { timeline, summary } = simulate(scenario, system, { days: opts.days, settings: basis.settings });
      const ms = performance.now() - t0;
      const results = checkAll(timeline!, scenario.expectations, baseline, basis.tiers, basis);
      const files = writeReports(opts.out, timeline!, results, { wallSeconds: ms / 1000, basis, ...(baseline ? { baseline } : {}) });
      const cost = costOf({ observedSeconds: summary.seconds, eciPodSeconds: summary.eciPodHours * 3600 }, basis.cost!);
      const passed = results.every((r) => r.passed);
      setOutcome(passed ? EXIT.ok : EXIT.failed);
      if (opts.output === 'json') {
        const { noiselessNumbers } = await import('../../../core/json.ts');
        process.stdout.write(`${JSON.stringify({ scenario: scenario.name, passed, results, summary: { ...summary, wallMs: ms }, cost, files }, noiselessNumbers, 2)}\n`);
        return;
      }
      for (const r of results) process.stdout.write(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}: ${r.message}\n`);
      process.stdout.write(
        `\nsimulated ${(summary.seconds / 3600).toFixed(1)} h in ${ms.toFixed(1)} ms: peak ${summary.peakReplicas} replicas, SLO coverage ${summary.sloCoveragePercent.toFixed(1)}%, ECI ${summary.eciPodHours.toFixed(2)} pod-hours, ${Number.isNaN(summary.slowestReactionSeconds) ? 'no rise' : `slowest reaction ${summary.slowestReactionSeconds.toFixed(0)} s`}, cost ${describeCost(cost)}\nprices: ${cost.region}, ${basis.cost!.prices.source}\nreport: ${files.html}\n`,
      );
    });
}
