import type { Command } from 'commander';
import { intIn, numberIn } from '../options.ts';

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
    .action(async (file: string, opts: { vary: string[]; growth?: number; days: number; workers?: number; out: string; top: number; manifests?: string }) => {
      const { mkdirSync, writeFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { UserError } = await import('../../common/errors.ts');
      const { loadScenario } = await import('../../../scenarios/index.ts');
      const { parseVary, product, frontier, runSweep, systemFromScenario, applyConfig, loadSystemManifests } = await import('../../../simulator/index.ts');
      const { manifestsPathFor } = await import('../../replay/resolve.ts');
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
      const scenario = await loadScenario(file);
      const manifests = await loadSystemManifests(manifestsPathFor(scenario, opts.manifests));
      for (const w of manifests.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      // Validate every configuration before any worker starts.
      const base = systemFromScenario(scenario, manifests);
      for (const c of configs) applyConfig(base, c);
      const t0 = performance.now();
      let last = 0;
      const rows = await runSweep({
        file, configs, days: opts.days, growth: opts.growth, workers: opts.workers, manifests,
        onRow: (done, total) => {
          if (performance.now() - last > 1000 || done === total) {
            last = performance.now();
            process.stderr.write(process.stderr.isTTY ? `\r${done}/${total} configurations` : `${done}/${total} configurations\n`);
          }
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const secs = (performance.now() - t0) / 1000;
      const front = frontier(rows);
      const keys = varies.map((v) => v.key);
      const header = [...keys, 'cost', 'sloCoverage%', 'peak', 'eciPodHours', 'directionChanges'];
      const line = (r: (typeof rows)[number]) => [...keys.map((k) => String(r.config[k])), r.summary.costTotal.toFixed(2), r.summary.sloCoveragePercent.toFixed(2), String(r.summary.peakReplicas), r.summary.eciPodHours.toFixed(2), String(r.summary.directionChanges)];
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(join(opts.out, 'results.csv'), [header, ...rows.map(line)].map((l) => l.join(',')).join('\n') + '\n');
      writeFileSync(join(opts.out, 'frontier.csv'), [header, ...front.map(line)].map((l) => l.join(',')).join('\n') + '\n');
      writeFileSync(join(opts.out, 'frontier.json'), JSON.stringify({ scenario: scenario.name, growth: opts.growth ?? 1, days: opts.days, frontier: front }, null, 2) + '\n');
      const widths = header.map((h, i) => Math.max(h.length, ...front.slice(0, opts.top).map((r) => line(r)[i]!.length)));
      const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
      process.stdout.write(`${configs.length} configurations in ${secs.toFixed(1)} s; cost (${base.cost.currency}) vs SLO coverage frontier (${front.length} points):\n${fmt(header)}\n${front.slice(0, opts.top).map((r) => fmt(line(r))).join('\n')}\nwritten: ${join(opts.out, 'results.csv')}, frontier.csv, frontier.json\n`);
    });
}
