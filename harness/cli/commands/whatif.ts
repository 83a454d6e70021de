import type { Command } from 'commander';
import { UserError } from '../../../core/errors.ts';
import { dnsLabel, intIn, kubeconfigOf, manifestGrants, numberIn, type ManifestFlags } from '../options.ts';
import type { parseVary as parseVaryType } from '../../../simulator/index.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import type { OnClusterFlags } from '../../whatif-job/flags.ts';
import { EXIT, interruptible, setOutcome } from '../boundary.ts';
import type { WhatifInput } from '../../../reports/whatif.ts';
import { helpFooter } from '../help.ts';

interface WhatifOptions extends OnClusterFlags, ManifestFlags {
  vary: string[];
  growth?: number;
  days?: number;
  minSlo?: number;
  out: string;
  top: number;
  manifests?: string;
  cost?: string;
}

/** The scenario's own bounds hold for swept values too: a sweep must not reach what a scenario may not. */
async function checkVaries(specs: string[]): Promise<ReturnType<typeof parseVaryType>[]> {
  const { parseVary } = await import('../../../simulator/index.ts');
  const { SCENARIO_BOUNDS, describeBound } = await import('../../../scenarios/index.ts');
  const varies = specs.map(parseVary);
  const bound = { sourceMax: 'replicas', minReplicas: 'replicas', maxReplicas: 'replicas', ecsNodes: 'ecsNodes', syncPeriod: 'intervalSeconds', stabilization: 'stabilizationSeconds' } as const;
  for (const v of varies) {
    const name = bound[v.key as keyof typeof bound] as keyof typeof SCENARIO_BOUNDS | undefined;
    if (name && v.values.some((x) => x > SCENARIO_BOUNDS[name].max)) throw new UserError(`--vary ${v.key}: values must be ${describeBound(name)}`);
  }
  return varies;
}

/** `done/total` at most once a second, on one line on a terminal. */
function rowProgress(): (done: number, total: number, what?: string) => void {
  let last = 0;
  return (done, total, what = 'configurations') => {
    if (performance.now() - last > 1000 || done === total) {
      last = performance.now();
      process.stderr.write(process.stderr.isTTY ? `\r${done}/${total} ${what}` : `${done}/${total} ${what}\n`);
    }
  };
}

/** results.csv, frontier.csv, frontier.json and frontier.html, and the frontier's first rows printed; exit 1 when nothing passes. */
async function writeResults(opts: WhatifOptions, w: WhatifInput, r: { configs: number; seconds: number }): Promise<void> {
  const { makeOutputDir, writeOutputFile } = await import('../../../core/files.ts');
  const { join } = await import('node:path');
  const { judge, toCsv, csvHeader, csvCells, frontierJson, whatifNotes } = await import('../../../reports/whatif.ts');
  const { frontierHtml } = await import('../../../reports/whatif-html.ts');
  const judged = judge(w);
  const front = judged.filter((x) => x.onFrontier).sort((a, b) => a.summary.costTotal - b.summary.costTotal);
  makeOutputDir(opts.out);
  writeOutputFile(join(opts.out, 'results.csv'), toCsv(w, judged));
  writeOutputFile(join(opts.out, 'frontier.csv'), toCsv(w, front));
  writeOutputFile(join(opts.out, 'frontier.json'), frontierJson(w, judged, { growth: opts.growth ?? 1, ...(opts.days !== undefined ? { days: opts.days } : { windows: true }) }));
  writeOutputFile(join(opts.out, 'frontier.html'), frontierHtml(w, judged));
  // The terminal gets the columns a decision needs and what failed by name; the CSV has them all.
  const all = csvHeader(w);
  const shown = [...w.keys, 'passes', 'slo_coverage_pct', `cost_${w.currency.toLowerCase()}`, 'peak_replicas', 'at_min_replicas_pct', 'at_max_replicas_pct'].map((h) => all.indexOf(h));
  const cells = (x: (typeof judged)[number]) => [...shown.map((i) => csvCells(w, x)[i]!), x.failed.join(' ') || '-'];
  const header = [...shown.map((i) => all[i]!), 'failed'];
  const widths = header.map((h, i) => Math.max(h.length, ...front.slice(0, opts.top).map((x) => cells(x)[i]!.length)));
  const fmt = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padStart(widths[i]!))).join('  ');
  process.stdout.write(
    `${r.configs} configuration${r.configs === 1 ? '' : 's'} (${w.span}) in ${r.seconds.toFixed(1)} s; cost (${w.currency} over the simulated time; prices: ${w.prices ?? 'built-in'}) vs SLO coverage frontier (${front.length} points):\n${fmt(header)}\n${front.slice(0, opts.top).map((x) => fmt(cells(x))).join('\n')}\n` +
      whatifNotes(w, judged).map((n) => `- ${n}\n`).join('') +
      `written: ${join(opts.out, 'results.csv')}, frontier.csv, frontier.json, frontier.html\n`,
  );
  setOutcome(judged.some((x) => x.passes) ? EXIT.ok : EXIT.failed);
}

async function whatif(file: string, opts: WhatifOptions): Promise<void> {
  const { loadScenario } = await import('../../../scenarios/index.ts');
  const { product, runSweep, systemFromScenario, applyConfig, loadSystemManifests } = await import('../../../simulator/index.ts');
  const { manifestsSource } = await import('../../../manifests/files.ts');
  const { checkOnClusterFlags, sweepOnCluster } = await import('../../whatif-job/flags.ts');
  if (opts.onCluster) opts.kubeconfig = kubeconfigOf(opts.kubeconfig, process.env, '--on-cluster');
  checkOnClusterFlags(opts);
  if (!opts.vary.length) throw new UserError('give at least one --vary key=a..b[:step]', 'e.g. --vary sourceMax=0..6 --vary target=800..1200:100');
  if (opts.growth !== undefined && !(opts.growth > 0)) throw new UserError(`--growth must be positive, got ${opts.growth}`);
  if (opts.days !== undefined && !(Number.isInteger(opts.days) && opts.days >= 1)) throw new UserError(`--days must be a positive integer, got ${opts.days}`);
  const varies = await checkVaries(opts.vary);
  const configs = product(varies);
  if (configs.length > 200_000) throw new UserError(`${configs.length} configurations is too many (limit 200,000)`);
  const scenario = await loadScenario(file, manifestGrants(opts));
  if (opts.cost !== undefined) {
    const { layerPrices, readPricesFile } = await import('../../../core/prices.ts');
    scenario.cost = layerPrices(scenario.cost, readPricesFile(opts.cost));
  }
  const { SCENARIO_BOUNDS } = await import('../../../scenarios/index.ts');
  if (opts.days !== undefined && scenario.expectations.length && (opts.days * 86_400) / scenario.sampleEverySeconds > SCENARIO_BOUNDS.samplesPerRun.max) {
    // Judging expectations needs each configuration's whole timeline, held in memory like simulate's.
    throw new UserError(`--days ${opts.days} at one sample every ${scenario.sampleEverySeconds} s is more than ${SCENARIO_BOUNDS.samplesPerRun.max} samples per configuration, and the scenario's expectations are judged on each configuration's timeline`, 'sweep fewer days, or raise sampleEverySeconds in the scenario');
  }
  const manifests = await loadSystemManifests(manifestsSource(scenario, opts.manifests));
  for (const w of manifests.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  // Validate every configuration before any worker starts.
  const base = systemFromScenario(scenario, manifests);
  for (const c of configs) applyConfig(base, c);
  const t0 = performance.now();
  const onRow = rowProgress();
  const rows = opts.onCluster
    ? await interruptible(
        (signal) => sweepOnCluster(opts, { scenario, manifests, vary: opts.vary, configs, ...(opts.days !== undefined ? { days: opts.days } : {}), ...(opts.growth !== undefined ? { growth: opts.growth } : {}), signal, progress: (done, total) => onRow(done, total, 'shards'), log: (l) => process.stderr.write(`${l}\n`) }),
        { onSignal: 'deleting the sweep Job', afterInterrupt: 'the Job and its inputs are deleted' },
      )
    : await runSweep({ file, configs, days: opts.days, growth: opts.growth, workers: opts.workers, manifests, onRow, ...(scenario.cost ? { cost: scenario.cost } : {}) });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const input: WhatifInput = { scenario: scenario.name, keys: varies.map((v) => v.key), rows, expectations: scenario.expectations, currency: base.cost.currency, prices: `${base.cost.region}, ${base.cost.source}`, span: await sweepSpan(scenario, opts.days), ...(opts.minSlo !== undefined ? { minSlo: opts.minSlo } : {}) };
  await writeResults(opts, input, { configs: configs.length, seconds: (performance.now() - t0) / 1000 });
}

/** What was simulated, in the scenario's zone: its windows, or the whole days asked for. */
async function sweepSpan(s: Scenario, days: number | undefined): Promise<string> {
  const { windowLabelIn } = await import('../../../reports/windows.ts');
  const { segmentsFor } = await import('../../../simulator/index.ts');
  if (days !== undefined) return `${days} day${days > 1 ? 's' : ''} from 00:00 ${s.timezone}`;
  return `windows ${segmentsFor(s).map(windowLabelIn(s.timezone, false)).join(', ')} ${s.timezone}`;
}

export function register(program: Command): void {
  program
    .command('whatif')
    .description("Sweep configurations of a scenario in the simulator over its windows, judge each against the scenario's expectations and --min-slo, and write cost vs SLO coverage with the frontier (CSV, JSON and a chart, frontier.html)")
    .argument('<scenario>', 'scenario file')
    .option('--vary <key=a..b[:step]|key=a,b,c>', 'a dimension to sweep (repeatable); keys: sourceMax, target, minReplicas, maxReplicas, stabilization, syncPeriod, tolerance, ecsNodes', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--growth <factor>', 'multiply the curve (e.g. 1.3 for next year)', numberIn(1e-6, 1e6))
    .option('--days <n>', "simulate N whole days from the scenario's day instead of its windows (default: the windows, as simulate runs them)", intIn(1, 3650))
    .option('--min-slo <percent>', 'a configuration passes only with at least this SLO coverage, besides the scenario\'s expectations', numberIn(0, 100))
    .option('--cost <file>', "your prices (YAML or JSON, the scenario's cost: format): laid over the scenario's cost:")
    .option('--workers <n>', 'worker threads (default: CPU count)', intIn(1, 256))
    .option('--out <dir>', 'write results.csv, frontier.csv, frontier.json and frontier.html here (replay, simulate and whatif default to out, out-sim and out-whatif: one never overwrites another)', 'out-whatif')
    .option('--top <n>', 'rows to print', intIn(0, 1_000_000), 20)
    .option('--manifests <path>', "your system's manifests: a kustomize directory, a folder of YAML or one file (default: the scenario's manifests:, else the shipped ones)")
    .option('--allow-outside-manifests', 'read manifests (and the files their kustomization reads) outside the scenario\'s directory and the current one (only for scenarios you trust)')
    .option('--allow-remote-manifests', 'let kustomize fetch URL and git resources of the manifests (only for manifests you trust)')
    .option('--on-cluster', 'run the sweep as a Kubernetes Indexed Job (one shard per completion index) instead of local worker threads')
    .option('--kubeconfig <file>', '--on-cluster: the kubeconfig of the cluster (default: $KUBECONFIG)')
    .option('--namespace <name>', '--on-cluster: an existing namespace (default: a temporary one, deleted afterwards)', dnsLabel)
    .option('--image <ref>', '--on-cluster: the tool image (default: built here as ebbflow/ebbflow:<version>-<hash> and loaded into a kind cluster)')
    .option('--load-into-kind <cluster>', '--on-cluster: kind load the image into this kind cluster (default: detected from the kubeconfig context kind-<cluster>)')
    .option('--shards <n>', '--on-cluster: shards = completions = parallelism (default: the usable node count)', intIn(1, 1000))
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow whatif scenarios/smoke.yaml --vary sourceMax=1..4 --vary target=800..1200:100 --min-slo 95', 'npx ebbflow whatif scenarios/smoke.yaml --vary maxReplicas=8..16:2 --growth 1.3 --days 7 --cost prices.yaml', 'npx ebbflow whatif scenarios/smoke.yaml --vary target=1500..3000:500 --on-cluster --kubeconfig ~/.kube/config'], ok: 'at least one configuration passes the scenario\'s expectations and --min-slo', failed: 'no configuration passes' }))
    .action(whatif);
}
