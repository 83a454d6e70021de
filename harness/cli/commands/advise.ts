import { InvalidArgumentError, type Command } from 'commander';
import { UserError } from '../../../core/errors.ts';
import { dnsLabel, intIn, kubeconfigOf, manifestGrants, numberIn, type ManifestFlags } from '../options.ts';
import { EXIT, interruptible, setOutcome } from '../boundary.ts';
import { helpFooter } from '../help.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import type { ReplayResult } from '../../replay/engine/engine.ts';
import type { Advice } from '../../../advise/advice.ts';
import type { Candidate, SearchResult } from '../../../advise/search.ts';
import type { SystemConfig } from '../../../simulator/index.ts';
import type { History } from '../../../advise/history.ts';
import type { AdviseShardInput } from '../../../advise/shard.ts';
import type { OnClusterFlags } from '../../whatif-job/flags.ts';

interface AdviseOptions extends ManifestFlags, OnClusterFlags {
  manifests?: string;
  growth?: number;
  minSlo?: number;
  cost?: string;
  out: string;
  grid: 'full' | 'small';
  prove?: boolean;
  compression?: number;
  history?: string;
  holdout?: number;
}

/**
 * A runnable scenario of a policy: the scenario's own file with `manifests:` pointing at them, the
 * curve copied beside it (a scenario reads curves only in its own directory), the growth as a
 * transform and the ECS pool resized; with `dropOverrides`, its HPA/ElasticWorkload overrides removed
 * (the patched manifests hold the policy, and the overrides would hide it).
 */
async function scenarioWriter(scenario: Scenario, out: string, growthFactor: number | undefined, poolCount: number | undefined, history?: { file: string; day: string }): Promise<(name: string, manifestsDir: string, ecsNodes: number, dropOverrides: boolean) => string> {
  const { resolve, relative, join, dirname, basename } = await import('node:path');
  const { readFileSync } = await import('node:fs');
  const { parseDocument } = await import('yaml');
  const { writeOutputFile } = await import('../../../core/files.ts');
  const raw = readFileSync(scenario.file, 'utf8');
  const curveFile = history ? resolve(history.file) : (() => {
    const d = parseDocument(raw).toJS() as { curve?: { file?: string } };
    return d.curve?.file ? resolve(dirname(scenario.file), d.curve.file) : undefined;
  })();
  return (name: string, manifestsDir: string, ecsNodes: number, dropOverrides: boolean): string => {
    const doc = parseDocument(raw);
    doc.set('name', `${scenario.name}-${name}`);
    doc.set('manifests', relative(out, manifestsDir) || '.');
    if (curveFile) {
      // The curve is copied beside the scenario: a scenario reads curves only in its own directory.
      const copied = `curve-${basename(curveFile)}`;
      writeOutputFile(join(out, copied), readFileSync(curveFile, 'utf8'));
      // A history replaces the scenario's curve with one of its days, the scenario's transforms with it.
      if (history) {
        doc.set('curve', doc.createNode({ file: copied, day: history.day }));
        doc.set('day', history.day);
      } else doc.setIn(['curve', 'file'], copied);
    }
    if (growthFactor !== undefined && growthFactor !== 1) {
      const t = (doc.getIn(['curve', 'transforms']) as { toJSON(): unknown[] } | undefined)?.toJSON() ?? [];
      doc.setIn(['curve', 'transforms'], [...t, { scale: growthFactor }]);
    }
    if (poolCount !== undefined && ecsNodes !== poolCount) doc.setIn(['nodes', 'ecs', 0, 'count'], ecsNodes);
    if (dropOverrides) {
      // The patched manifests hold the policy; the scenario's overrides would hide it.
      for (const path of [['hpa', 'minReplicas'], ['hpa', 'maxReplicas'], ['hpa', 'target'], ['hpa', 'behavior'], ['elasticWorkload', 'sourceMax']]) if (doc.hasIn(path)) doc.deleteIn(path);
    }
    return String(doc);
  };
}

/**
 * `ebbflow advise`: the cheapest policy that meets the scenario's expectations, searched in the
 * simulator (advise/), written as advice.json, advice.md, a kustomize overlay of the team's
 * manifests and a runnable scenario of it; `--prove` replays current and recommended.
 */
async function advise(file: string, opts: AdviseOptions): Promise<void> {
  const { resolve, relative, join, dirname } = await import('node:path');
  const { statSync } = await import('node:fs');
  const { loadScenario } = await import('../../../scenarios/index.ts');
  const { systemFromScenario, loadSystemManifests } = await import('../../../simulator/index.ts');
  const { baseManifests } = await import('../../../simulator/system.ts');
  const { ecsPodCapacity } = await import('../../../kinds/system.ts');
  const { manifestsSource } = await import('../../../manifests/files.ts');
  const { growth } = await import('../../../scenarios/transforms.ts');
  const { makeOutputDir, writeOutputFile } = await import('../../../core/files.ts');
  const { currentCandidate, defaultGrid, outcomeOf } = await import('../../../advise/evaluate.ts');
  const { gridSize, passes } = await import('../../../advise/search.ts');
  const { searchFamilyVariants } = await import('../../../advise/plan.ts');
  const { buildAdvice, verdict } = await import('../../../advise/advice.ts');
  const { kustomization } = await import('../../../advise/patch.ts');
  const { layerPrices, readPricesFile } = await import('../../../core/prices.ts');
  const { historyVerdicts } = await import('../../../advise/history.ts');
  const { aggregate } = await import('../../../advise/days.ts');

  await checkFlags(opts);
  const scenario = await loadScenario(file, manifestGrants(opts));
  if (opts.cost !== undefined) scenario.cost = layerPrices(scenario.cost, readPricesFile(opts.cost));
  if (opts.growth !== undefined && opts.growth !== 1) scenario.curve = growth(scenario.curve, opts.growth);
  const source = manifestsSource(scenario, opts.manifests);
  const manifests = source ? await loadSystemManifests(source) : baseManifests();
  for (const w of manifests.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  // The team's kustomize directory the overlay patches: theirs, else the shipped base.
  const shipped = resolve(dirname(new URL(import.meta.url).pathname), '../../../manifests/base');
  const teamDir = source?.path ?? shipped;
  if (!statSync(teamDir).isDirectory()) throw new UserError(`${source?.given ?? teamDir}: advise writes its change as a kustomize overlay, which needs the manifests as a kustomize directory`, 'point --manifests at the kustomize directory that holds the HPA');
  const hist = await historyOf(scenario, opts);
  const base = systemFromScenario(scenario, manifests);
  const current = currentCandidate(base);
  // With a history, today's policy on every day searched on, aggregated as each candidate is (advise/days.ts).
  const currentOutcome = hist ? aggregate(hist.train.map((s) => outcomeOf(s, base, {}))) : outcomeOf(scenario, base, {});
  const minSlo = opts.minSlo ?? currentOutcome.sloCoverage;
  const currency = base.cost.currency;
  const pool = base.nodes.ecs[0];
  const grid = defaultGrid(current, { podsPerNode: pool ? ecsPodCapacity({ ecs: [{ ...pool, count: 1 }] }, base.pod) : 0, hasOverflowTier: base.placement.tiers.length > 1 && !!pool, size: opts.grid });
  const t0 = performance.now();
  process.stderr.write(`searching ${gridSize(grid).toLocaleString('en-US')} candidate policies${hist ? ` on ${hist.train.length} day(s), ${hist.held.length} held out` : ''}...\n`);
  const result = await runSearch(opts, { scenario, manifests, grid, minSlo, seed: passes(currentOutcome, minSlo) ? { candidate: current, outcome: currentOutcome } : null, ...(hist ? { days: hist.trainData } : {}), ...(opts.growth !== undefined ? { growth: opts.growth } : {}) });
  // The other families (scale-up tolerances, CronHPA floor schedules) on the pool size found, bounded by its answer (in local workers).
  const families = await searchFamilyVariants({ scenario, base, manifests, current, grid, first: result, minSlo, ...(opts.growth !== undefined ? { growth: opts.growth } : {}), ...(opts.workers !== undefined ? { workers: opts.workers } : {}), ...(hist ? { days: hist.trainData } : {}), log: (m) => process.stderr.write(m) });
  const searchSeconds = (performance.now() - t0) / 1000;

  const out = resolve(opts.out);
  makeOutputDir(out);
  const seconds = scenario.windows.reduce((a, w) => a + (w.end - w.start), 0);
  const rec = families.best;
  // The overlay (with the CronHPA beside it when the policy has one) and the two runnable scenarios, beside advice.json.
  const overlayDir = join(out, 'patch');
  makeOutputDir(overlayDir);
  const extra = families.writeCronHpa(overlayDir, rec?.policy);
  const patchText = kustomization({ resource: relative(overlayDir, teamDir) || '.', hpa: manifests.hpa, ...(manifests.placement ? { placement: manifests.placement } : {}), from: manifestsPolicy(scenario, (x) => systemFromScenario(x, manifests), current), to: rec?.policy ?? families.current, extra });
  writeOutputFile(join(overlayDir, 'kustomization.yaml'), patchText);
  // With a history, the runnable scenarios replay its last day (a held-out one when there is one).
  const scenarioFor = await scenarioWriter(scenario, out, opts.growth, pool?.count, hist ? { file: hist.file, day: [...hist.train, ...hist.held].at(-1)!.day } : undefined);
  const currentScenario = join(out, 'current.yaml');
  const recommendedScenario = join(out, 'scenario.yaml');
  writeOutputFile(currentScenario, scenarioFor('current', teamDir, current.ecsNodes, false));
  writeOutputFile(recommendedScenario, scenarioFor('recommended', overlayDir, rec?.policy.ecsNodes ?? current.ecsNodes, true));

  const verdicts = hist ? historyVerdicts(hist, base, rec ? (sys) => families.apply(sys, rec.policy) : null, minSlo) : undefined;
  const advice = buildAdvice({
    scenario: relative(process.cwd(), recommendedScenario),
    from: relative(process.cwd(), scenario.file),
    growth: opts.growth ?? 1,
    seconds,
    minSlo,
    current: { ...verdict(families.current, currentOutcome, currency, minSlo), ...(verdicts ? { perDay: verdicts.current } : {}) },
    recommended: rec ? { ...verdict(rec.policy, rec.outcome, currency, minSlo), ...(verdicts?.recommended ? { perDay: verdicts.recommended } : {}) } : null,
    ...(verdicts ? { history: verdicts.history, holdout: verdicts.holdout } : {}),
    result: families.result,
    ...(rec?.policy.cronJobs?.length ? { schedule: families.describe(rec.policy) } : {}),
    searchSeconds,
    patch: relative(process.cwd(), join(overlayDir, 'kustomization.yaml')),
  });
  await finish(out, opts, advice, extra.length > 0, { current: currentScenario, recommended: recommendedScenario }, rec !== null);
}

/** advice.json/md written and printed, the held-out days' and `--prove`'s verdicts, the exit code. */
async function finish(out: string, opts: AdviseOptions, advice: Advice, cronHpa: boolean, scenarios: { current: string; recommended: string }, recommended: boolean): Promise<void> {
  const { join } = await import('node:path');
  const { writeOutputFile } = await import('../../../core/files.ts');
  const { adviceMarkdown } = await import('../../../advise/advice.ts');
  writeOutputFile(join(out, 'advice.json'), `${JSON.stringify(advice, null, 2)}\n`);
  writeOutputFile(join(out, 'advice.md'), adviceMarkdown(advice));
  process.stdout.write(adviceMarkdown(advice));
  process.stdout.write(`written: ${join(opts.out, 'advice.md')}, advice.json, patch/kustomization.yaml${cronHpa ? ', patch/cronhpa.yaml' : ''}, scenario.yaml, current.yaml\n`);
  // A recommendation that fails a held-out day is not one to apply as it is.
  const held = !advice.holdout || advice.holdout.passed;
  if (advice.holdout) process.stdout.write(held ? 'The advice held on the held-out day(s).\n' : 'The advice did not hold on the held-out day(s) (above).\n');
  if (opts.prove && recommended) {
    const holds = await proveAdvice(out, advice, scenarios, opts);
    setOutcome(holds && held ? EXIT.ok : EXIT.failed);
    return;
  }
  setOutcome(recommended && held ? EXIT.ok : EXIT.failed);
}

/** What the flags say on their own, before anything is read. */
async function checkFlags(opts: AdviseOptions): Promise<void> {
  if (opts.growth !== undefined && !(opts.growth > 0)) throw new UserError(`--growth must be positive, got ${opts.growth}`);
  if (opts.onCluster) opts.kubeconfig = kubeconfigOf(opts.kubeconfig, process.env, '--on-cluster');
  (await import('../../whatif-job/flags.ts')).checkOnClusterFlags(opts);
}

/** The search in local worker threads, or with `--on-cluster` as an Indexed Job (Ctrl-C deletes it); the same answer either way. */
async function runSearch(opts: AdviseOptions, s: AdviseShardInput): Promise<SearchResult> {
  if (opts.onCluster) {
    const { adviseOnCluster } = await import('../../whatif-job/advise.ts');
    return interruptible((signal) => adviseOnCluster(opts, { ...s, signal, progress: (done, total) => process.stderr.write(`${done}/${total} shards\n`), log: (l) => process.stderr.write(`${l}\n`) }), { onSignal: 'deleting the search Job' });
  }
  const { searchInWorkers } = await import('../../../advise/parallel.ts');
  const { scenario, ...rest } = s;
  return searchInWorkers({ ...rest, file: scenario.file, ...(scenario.cost ? { cost: scenario.cost } : {}), ...(opts.workers !== undefined ? { workers: opts.workers } : {}) });
}

/** `--history` read and cut into days (`--holdout` checked), the days it leaves out noted. */
async function historyOf(scenario: Scenario, opts: AdviseOptions): Promise<History | undefined> {
  if (opts.history === undefined) {
    if (opts.holdout) throw new UserError(`--holdout ${opts.holdout}: only with --history (the scenario's curve is one day)`, 'give --history CSV, the days `ebbflow curve pull` wrote');
    return undefined;
  }
  const { loadHistory } = await import('../../../advise/history.ts');
  const hist = await loadHistory(opts.history, scenario, { holdout: opts.holdout, growth: opts.growth });
  for (const l of hist.left) process.stderr.write(`note: ${opts.history}: ${l.day} left out, ${l.why}\n`);
  return hist;
}

/** `--prove`: both policies replayed; advice.json/md extended with the verdicts. Answers whether the control plane confirms the advice. */
async function proveAdvice(out: string, advice: Advice, scenarios: { current: string; recommended: string }, opts: AdviseOptions): Promise<boolean> {
  const { join } = await import('node:path');
  const { writeOutputFile } = await import('../../../core/files.ts');
  const { adviceMarkdown } = await import('../../../advise/advice.ts');
  const proof = await prove(out, scenarios, opts);
  const doc = { ...advice, prove: proof };
  writeOutputFile(join(out, 'advice.json'), `${JSON.stringify(doc, null, 2)}\n`);
  const lines = ['', '## On the real control plane (--prove)', '', '| policy | passed | SLO coverage | cost | simulator agreement |', '|---|---|---|---|---|', ...Object.entries(proof).map(([k, p]) => `| ${k} | ${p.passed ? 'yes' : 'no'} | ${p.sloCoverage === null ? '-' : `${p.sloCoverage.toFixed(1)} %`} | ${p.cost === null ? '-' : p.cost.toFixed(2)} | ${p.agreement.join('; ')} |`), ''];
  writeOutputFile(join(out, 'advice.md'), adviceMarkdown(advice) + lines.join('\n'));
  process.stdout.write(lines.join('\n'));
  const holds = proof.recommended.passed && proof.recommended.cost !== null && proof.current.cost !== null && proof.recommended.cost < proof.current.cost && (proof.recommended.sloCoverage ?? -1) >= (proof.current.sloCoverage ?? Infinity);
  process.stdout.write(holds ? 'The control plane confirms it: the recommended policy passes, costs less and covers at least as much.\n' : 'The control plane does not confirm the advice (above): read both reports before applying it.\n');
  return holds;
}

/**
 * The policy the manifests themselves hold, without the scenario's `hpa:`/`elasticWorkload:`
 * overrides: what the overlay patches. The recommended scenario drops those overrides, so a knob
 * the search left at the scenario's value must still be written when the manifests differ.
 */
function manifestsPolicy(scenario: Scenario, resolve: (s: Scenario) => SystemConfig, current: Candidate): Candidate & { scaleUpTolerance: number | null } {
  const { tolerance, syncPeriodSeconds, downscaleStabilizationSeconds } = scenario.hpa ?? {};
  const flagsOnly = { ...(tolerance !== undefined ? { tolerance } : {}), ...(syncPeriodSeconds !== undefined ? { syncPeriodSeconds } : {}), ...(downscaleStabilizationSeconds !== undefined ? { downscaleStabilizationSeconds } : {}) };
  const own = resolve({ ...scenario, hpa: flagsOnly, elasticWorkload: {} });
  const m = own.hpa.metrics;
  const first = own.placement.tiers[0];
  return {
    // A target of another type than AverageValue always differs: NaN is never equal.
    target: m.length === 1 && m[0]!.type === 'AverageValue' ? m[0]!.target : NaN,
    minReplicas: own.hpa.minReplicas,
    maxReplicas: own.hpa.maxReplicas,
    stabilization: current.stabilization,
    sourceMax: own.placement.tiers.length > 1 && first?.max !== undefined ? first.max : 0,
    ecsNodes: current.ecsNodes,
    scaleUpTolerance: own.hpa.behavior?.scaleUp?.tolerance ?? null,
  };
}

/** A replay's SLO coverage and cost, measured as the simulator's summary measures them (core/checks/measures.ts). */
async function measuresOf(r: ReplayResult, scenario: Scenario): Promise<{ sloCoverage: number | null; cost: number | null }> {
  const { measure, costOf } = await import('../../../core/checks/measures.ts');
  const { loadSystemManifests, runBasis, systemFromScenario } = await import('../../../simulator/index.ts');
  const { manifestsSource } = await import('../../../manifests/files.ts');
  if (!r.timeline.samples.length) return { sloCoverage: null, cost: null };
  const basis = runBasis(scenario, systemFromScenario(scenario, await loadSystemManifests(manifestsSource(scenario, undefined))));
  const m = measure(r.timeline, basis.settings);
  return { sloCoverage: m.sloCoveragePercent, cost: basis.cost ? costOf(m, basis.cost).total : null };
}

interface Proof {
  passed: boolean;
  sloCoverage: number | null;
  cost: number | null;
  report: string;
  agreement: string[];
}

/** Replays each scenario on a local control plane, with the simulator's agreement (`replay --report-fidelity`). */
async function prove(out: string, scenarios: { current: string; recommended: string }, opts: AdviseOptions): Promise<{ current: Proof; recommended: Proof }> {
  const { join, relative } = await import('node:path');
  const { loadScenario } = await import('../../../scenarios/index.ts');
  const { runReplay } = await import('../../replay/engine/engine.ts');
  const { reportFidelity } = await import('../../replay/engine/fidelity.ts');
  const { interruptible } = await import('../boundary.ts');
  const res: Record<string, Proof> = {};
  for (const [name, file] of Object.entries(scenarios)) {
    const scenario = await loadScenario(file, { ...(opts.compression !== undefined ? { compression: opts.compression } : {}), allowOutsideManifests: true });
    const dir = join(out, 'prove', name);
    process.stderr.write(`replaying ${name} (${relative(process.cwd(), file)}) on a local control plane...\n`);
    const r = await interruptible((signal) => runReplay({ scenario, out: dir, signal, onManifestWarning: (w) => process.stderr.write(`warning: ${w}\n`) }), { onSignal: 'stopping the replay' });
    const agreement = await reportFidelity(scenario, undefined, dir, r);
    res[name] = { passed: r.passed, ...(await measuresOf(r, scenario)), report: relative(process.cwd(), join(dir, 'report.html')), agreement };
  }
  return res as { current: Proof; recommended: Proof };
}

export function register(program: Command): void {
  program
    .command('advise')
    .description("Search HPA (with its scale-up tolerance), HPA + CronHPA and ECS-tier policies in the simulator for the cheapest that meets the scenario's expectations at today's SLO coverage or better; write advice.md, advice.json, the change as a kustomize overlay of your manifests and a runnable scenario of it")
    .argument('<scenario>', 'scenario file (its curve is the history searched on)')
    .option('--manifests <path>', "your system's manifests as a kustomize directory (default: the scenario's manifests:, else the shipped ones)")
    .option('--growth <factor>', 'multiply the curve (e.g. 1.3 for next year)', numberIn(1e-6, 1e6))
    .option('--min-slo <percent>', "the SLO coverage a recommendation must reach (default: the current policy's)", numberIn(0, 100))
    .option('--cost <file>', "your prices (YAML or JSON, the scenario's cost: format): laid over the scenario's cost:")
    .option('--grid <size>', 'full (the benchmarked search, about a minute) or small (seconds)', (v: string) => {
      if (v !== 'full' && v !== 'small') throw new InvalidArgumentError('expected full or small.');
      return v;
    }, 'full')
    .option('--history <csv>', "the team's history, one or many days (what `ebbflow curve pull` writes), cut into days in the scenario's timezone: searched on instead of the scenario's curve")
    .option('--holdout <n>', '--history: the last n days are not searched on but check the advice (default 1 with two days or more, 0 with one)', intIn(0, 366))
    .option('--workers <n>', 'worker threads (default: CPU count)', intIn(1, 256))
    .option('--on-cluster', 'search as a Kubernetes Indexed Job (each completion index searches its share of the ECS pool sizes) instead of local worker threads')
    .option('--kubeconfig <file>', '--on-cluster: the kubeconfig of the cluster (default: $KUBECONFIG)')
    .option('--namespace <name>', '--on-cluster: an existing namespace (default: a temporary one, deleted afterwards)', dnsLabel)
    .option('--image <ref>', '--on-cluster: the tool image (default: built here as ebbflow/ebbflow:<version>-<hash> and loaded into a kind cluster)')
    .option('--load-into-kind <cluster>', '--on-cluster: kind load the image into this kind cluster (default: detected from the kubeconfig context kind-<cluster>)')
    .option('--shards <n>', '--on-cluster: completions = parallelism (default: the usable node count, at most the ECS pool sizes searched)', intIn(1, 1000))
    .option('--out <dir>', 'write advice.md, advice.json, patch/kustomization.yaml, scenario.yaml and current.yaml here', 'out-advise')
    .option('--prove', 'replay the current and the recommended scenario on a local control plane and report their agreement with the simulator (minutes)')
    .option('--compression <k>', '--prove: virtual seconds per wall second (default: the scenario\'s)', intIn(1, 3600))
    .option('--allow-outside-manifests', "read manifests outside the scenario's directory and the current one (only for scenarios you trust)")
    .option('--allow-remote-manifests', 'let kustomize fetch URL and git resources of the manifests (only for manifests you trust)')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow advise scenarios/weekday.yaml', 'npx ebbflow advise my-scenario.yaml --manifests deploy/overlays/prod --history curves/week.csv --holdout 2 --growth 1.3 --out advice/', 'npx ebbflow advise scenarios/smoke.yaml --grid small --prove'], ok: 'a policy passes and is recommended (and held on the held-out days)', failed: 'no searched policy passes, the recommendation fails a held-out day, or --prove does not confirm the advice' }))
    .action(advise);
}
