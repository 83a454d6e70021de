import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UserError } from '../../../core/errors.ts';
import { intIn, manifestGrants, numberIn, type ManifestFlags } from '../options.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import type { SystemManifests } from '../../../kinds/system.ts';
import type { Config, SweepRow } from '../../../simulator/index.ts';

interface WhatifOptions extends ManifestFlags {
  vary: string[];
  growth?: number;
  days: number;
  workers?: number;
  out: string;
  top: number;
  manifests?: string;
  onCluster?: boolean;
  kubeconfig?: string;
  namespace?: string;
  image?: string;
  loadIntoKind?: string;
  shards?: number;
}

function dnsLabel(v: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v)) throw new InvalidArgumentError('expected a DNS label (lowercase letters, digits, -; at most 63).');
  return v;
}

/** The --on-cluster options make sense only together; say which is missing or out of place before anything runs. */
function checkOnClusterOptions(opts: WhatifOptions): void {
  const clusterOnly = (['kubeconfig', 'namespace', 'image', 'loadIntoKind', 'shards'] as const).filter((k) => opts[k] !== undefined);
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (!opts.onCluster && clusterOnly.length) throw new UserError(`${clusterOnly.map(flag).join(', ')}: only with --on-cluster`, 'add --on-cluster --kubeconfig <file> to run the sweep as a Kubernetes Job, or drop them');
  if (!opts.onCluster) return;
  if (!opts.kubeconfig) throw new UserError('--on-cluster needs --kubeconfig <file>', 'the kubeconfig of the cluster to run the sweep on (e.g. the one `ebbflow cluster up --backend kind` prints)');
  if (opts.workers !== undefined) throw new UserError('--workers is for the local sweep; with --on-cluster use --shards', 'e.g. --shards 4');
  if (opts.image !== undefined && !/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(opts.image)) throw new UserError(`--image ${opts.image}: not an image reference`, 'e.g. registry.example.com/ebbflow/ebbflow:0.1.0-abcdef123456');
  if (opts.loadIntoKind !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.loadIntoKind)) throw new UserError(`--load-into-kind ${opts.loadIntoKind}: not a kind cluster name`, 'the name as `kind get clusters` lists it');
}

/** The sweep as an Indexed Job; Ctrl-C deletes what it created (exit 130). */
async function sweepOnCluster(opts: WhatifOptions, s: { scenario: Scenario; manifests: SystemManifests; configs: Config[]; onRow: (done: number, total: number, what?: string) => void }): Promise<SweepRow[] | undefined> {
  const { runOnCluster } = await import('../../whatif-job/run.ts');
  const { Interrupted } = await import('../../../core/component.ts');
  const ac = new AbortController();
  const onSignal = () => {
    if (!ac.signal.aborted) process.stderr.write('\ninterrupted: deleting the sweep Job\n');
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await runOnCluster({
      kubeconfig: opts.kubeconfig!, scenario: s.scenario, manifests: s.manifests, vary: opts.vary, configs: s.configs, days: opts.days, signal: ac.signal,
      ...(opts.growth !== undefined ? { growth: opts.growth } : {}), ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(opts.image ? { image: opts.image } : {}),
      ...(opts.loadIntoKind ? { loadIntoKind: opts.loadIntoKind } : {}), ...(opts.shards ? { shards: opts.shards } : {}),
      progress: (done, total) => s.onRow(done, total, 'shards'), log: (l) => process.stderr.write(`${l}\n`),
    });
    return r.rows;
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    process.stderr.write(`interrupted: ${e.message}; the Job and its inputs are deleted\n`);
    process.exitCode = 130;
    return undefined;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function register(program: Command): void {
  program
    .command('whatif')
    .description('Sweep configurations of a scenario in the simulator (worker threads) and print cost vs SLO coverage, with the frontier')
    .argument('<scenario>', 'scenario file')
    .option('--vary <key=a..b[:step]|key=a,b,c>', 'a dimension to sweep (repeatable); keys: sourceMax, target, minReplicas, maxReplicas, stabilization, syncPeriod, tolerance, ecsNodes', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--growth <factor>', 'multiply the curve (e.g. 1.3 for next year)', numberIn(1e-6, 1e6))
    .option('--days <n>', 'whole days instead of the scenario windows', intIn(1, 3650), 1)
    .option('--workers <n>', 'worker threads (default: CPU count)', intIn(1, 256))
    .option('--out <dir>', 'write results.csv, frontier.csv and frontier.json here', 'out-whatif')
    .option('--top <n>', 'rows to print', intIn(0, 1_000_000), 20)
    .option('--manifests <path>', "your system's manifests: a kustomize directory, a folder of YAML or one file (default: the scenario's manifests:, else the shipped ones)")
    .option('--allow-outside-manifests', 'read manifests (and the files their kustomization reads) outside the scenario\'s directory and the current one (only for scenarios you trust)')
    .option('--allow-remote-manifests', 'let kustomize fetch URL and git resources of the manifests (only for manifests you trust)')
    .option('--on-cluster', 'run the sweep as a Kubernetes Indexed Job (one shard per completion index) instead of local worker threads')
    .option('--kubeconfig <file>', '--on-cluster: the kubeconfig of the cluster (required)')
    .option('--namespace <name>', '--on-cluster: an existing namespace (default: a temporary one, deleted afterwards)', dnsLabel)
    .option('--image <ref>', '--on-cluster: the tool image (default: built here as ebbflow/ebbflow:<version>-<hash> and loaded into a kind cluster)')
    .option('--load-into-kind <cluster>', '--on-cluster: kind load the image into this kind cluster (default: detected from the kubeconfig context kind-<cluster>)')
    .option('--shards <n>', '--on-cluster: shards = completions = parallelism (default: the usable node count)', intIn(1, 1000))
    .action(async (file: string, opts: WhatifOptions) => {
      const { makeOutputDir, writeOutputFile } = await import('../../../core/files.ts');
      const { join } = await import('node:path');
      const { loadScenario } = await import('../../../scenarios/index.ts');
      const { parseVary, product, frontier, runSweep, systemFromScenario, applyConfig, loadSystemManifests } = await import('../../../simulator/index.ts');
      const { manifestsSource } = await import('../../../manifests/files.ts');
      checkOnClusterOptions(opts);
      if (!opts.vary.length) throw new UserError('give at least one --vary key=a..b[:step]', 'e.g. --vary sourceMax=0..6 --vary target=800..1200:100');
      if (opts.growth !== undefined && !(opts.growth > 0)) throw new UserError(`--growth must be positive, got ${opts.growth}`);
      if (!(Number.isInteger(opts.days) && opts.days >= 1)) throw new UserError(`--days must be a positive integer, got ${opts.days}`);
      const varies = opts.vary.map(parseVary);
      // The scenario's own bounds hold for swept values too: a sweep must not reach what a scenario may not.
      const { SCENARIO_BOUNDS, describeBound } = await import('../../../scenarios/index.ts');
      const bound = { sourceMax: 'replicas', minReplicas: 'replicas', maxReplicas: 'replicas', ecsNodes: 'ecsNodes', syncPeriod: 'intervalSeconds', stabilization: 'stabilizationSeconds' } as const;
      for (const v of varies) {
        const name = bound[v.key as keyof typeof bound] as keyof typeof SCENARIO_BOUNDS | undefined;
        if (name && v.values.some((x) => x > SCENARIO_BOUNDS[name].max)) throw new UserError(`--vary ${v.key}: values must be ${describeBound(name)}`);
      }
      const configs = product(varies);
      if (configs.length > 200_000) throw new UserError(`${configs.length} configurations is too many (limit 200,000)`);
      const scenario = await loadScenario(file, manifestGrants(opts));
      const manifests = await loadSystemManifests(manifestsSource(scenario, opts.manifests));
      for (const w of manifests.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      // Validate every configuration before any worker starts.
      const base = systemFromScenario(scenario, manifests);
      for (const c of configs) applyConfig(base, c);
      const t0 = performance.now();
      let last = 0;
      const onRow = (done: number, total: number, what = 'configurations') => {
        if (performance.now() - last > 1000 || done === total) {
          last = performance.now();
          process.stderr.write(process.stderr.isTTY ? `\r${done}/${total} ${what}` : `${done}/${total} ${what}\n`);
        }
      };
      const rows = opts.onCluster
        ? await sweepOnCluster(opts, { scenario, manifests, configs, onRow })
        : await runSweep({ file, configs, days: opts.days, growth: opts.growth, workers: opts.workers, manifests, onRow });
      if (!rows) return;
      if (process.stderr.isTTY) process.stderr.write('\n');
      const secs = (performance.now() - t0) / 1000;
      const front = frontier(rows);
      const keys = varies.map((v) => v.key);
      const header = [...keys, 'cost', 'sloCoverage%', 'peak', 'eciPodHours', 'directionChanges'];
      const line = (r: (typeof rows)[number]) => [...keys.map((k) => String(r.config[k])), r.summary.costTotal.toFixed(2), r.summary.sloCoveragePercent.toFixed(2), String(r.summary.peakReplicas), r.summary.eciPodHours.toFixed(2), String(r.summary.directionChanges)];
      makeOutputDir(opts.out);
      writeOutputFile(join(opts.out, 'results.csv'), [header, ...rows.map(line)].map((l) => l.join(',')).join('\n') + '\n');
      writeOutputFile(join(opts.out, 'frontier.csv'), [header, ...front.map(line)].map((l) => l.join(',')).join('\n') + '\n');
      writeOutputFile(join(opts.out, 'frontier.json'), JSON.stringify({ scenario: scenario.name, growth: opts.growth ?? 1, days: opts.days, frontier: front }, null, 2) + '\n');
      const widths = header.map((h, i) => Math.max(h.length, ...front.slice(0, opts.top).map((r) => line(r)[i]!.length)));
      const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
      process.stdout.write(`${configs.length} configurations in ${secs.toFixed(1)} s; cost (${base.cost.currency}) vs SLO coverage frontier (${front.length} points):\n${fmt(header)}\n${front.slice(0, opts.top).map((r) => fmt(line(r))).join('\n')}\nwritten: ${join(opts.out, 'results.csv')}, frontier.csv, frontier.json\n`);
    });
}
