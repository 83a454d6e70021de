import { InvalidArgumentError, type Command } from 'commander';
import { EXIT, setOutcome } from '../boundary.ts';
import { manifestGrants, type ManifestFlags } from '../options.ts';
import { helpFooter } from '../help.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import type { RunView } from '../../../migrate/compare.ts';
import type { SystemManifests } from '../../../kinds/system.ts';

interface MigrateOptions extends ManifestFlags {
  to: string;
  manifests?: string;
  out?: string;
  replay: boolean;
  backend: 'local' | 'kind';
  cost?: string;
  allowOutsideCurves?: boolean;
}

const TO = ['uniteddeployment', 'resourcepolicy', 'workloadspread'];

/** Writes the converted manifests beside the team's: an overlay over their kustomize directory, else one file. */
async function writeMigration(out: string, theirs: string, files: { overlay: () => Record<string, string>; file: () => Record<string, string> }): Promise<string[]> {
  const { join, relative } = await import('node:path');
  const { kustomizationIn } = await import('../../../manifests/kustomize-closure.ts');
  const { makeOutputDir, writeOutputFile } = await import('../../../core/files.ts');
  makeOutputDir(out);
  const written = kustomizationIn(theirs) ? files.overlay() : files.file();
  for (const [name, text] of Object.entries(written)) writeOutputFile(join(out, name), text);
  return Object.keys(written).map((n) => relative(process.cwd(), join(out, n)));
}

/** Each run in the simulator (migrate's two, pipelines' three); with `out`, their reports under `out/<name>/`. */
export async function simulateRuns(runs: { name: string; scenario: Scenario; manifests: SystemManifests }[], out?: string): Promise<RunView[]> {
  const { join } = await import('node:path');
  const { simulate, systemFromScenario, runBasis } = await import('../../../simulator/index.ts');
  const { checkAll } = await import('../../../core/checks/checks.ts');
  const { writeReports } = await import('../../../reports/index.ts');
  return runs.map(({ name, scenario, manifests }) => {
    const sys = systemFromScenario(scenario, manifests);
    const basis = runBasis(scenario, sys);
    const { timeline } = simulate(scenario, sys, { settings: basis.settings });
    const results = checkAll(timeline!, scenario.expectations, undefined, basis.tiers, basis);
    if (out !== undefined) writeReports(join(out, name), timeline!, results, { basis });
    return { kind: sys.placement.kind, timeline: timeline!, basis, results };
  });
}

/** Each run on the control plane, one after the other (reuses the replay engine as `advise --prove` does). */
export async function replayRuns(runs: { name: string; scenario: Scenario; manifestsPath?: string; kind: string }[], out: string, backend: 'local' | 'kind'): Promise<RunView[]> {
  const { join, relative } = await import('node:path');
  const { runReplay } = await import('../../replay/engine/engine.ts');
  const { runBasis, systemFromScenario, loadSystemManifests } = await import('../../../simulator/index.ts');
  const { manifestsSource } = await import('../../../manifests/files.ts');
  const { interruptible } = await import('../boundary.ts');
  const views: RunView[] = [];
  for (const run of runs) {
    const dir = join(out, run.name);
    process.stderr.write(`replaying ${run.name} (${run.kind}) on a ${backend} control plane...\n`);
    const r = await interruptible((signal) => runReplay({ scenario: run.scenario, out: dir, signal, backend, ...(run.manifestsPath ? { manifestsPath: run.manifestsPath } : {}), onManifestWarning: (w) => process.stderr.write(`warning: ${w}\n`) }), { onSignal: 'stopping the replay' });
    process.stderr.write(`${run.name}: ${r.passed ? 'passed' : 'FAILED'} in ${r.wallSeconds.toFixed(0)} s — ${relative(process.cwd(), r.files.markdown)}\n`);
    const sys = systemFromScenario(run.scenario, await loadSystemManifests(manifestsSource(run.scenario, run.manifestsPath)));
    views.push({ kind: run.kind, timeline: r.timeline, basis: runBasis(run.scenario, sys), results: r.results });
  }
  return views;
}

/**
 * `ebbflow migrate`: the team's ElasticWorkload converted to a successor (migrate/), written as an
 * overlay beside their manifests, then the same scenario run on both and compared side by side.
 * Whether the successor can run is asked of the placement registry, never decided by its name.
 */
async function migrate(file: string, opts: MigrateOptions): Promise<void> {
  const { join, resolve, relative } = await import('node:path');
  const { UserError } = await import('../../../core/errors.ts');
  const { loadScenario } = await import('../../../scenarios/index.ts');
  const { layerPrices, readPricesFile } = await import('../../../core/prices.ts');
  const { manifestsSource, programSource } = await import('../../../manifests/files.ts');
  const { loadHarnessManifests, harnessSystemManifests, MANIFESTS_DIR } = await import('../../../manifests/index.ts');
  const { PLACEMENTS } = await import('../../../kinds/registry.ts');
  const { systemFromScenario } = await import('../../../simulator/index.ts');
  const { converterFor, overlayFiles, manifestsFile } = await import('../../../migrate/index.ts');
  const { migrationInput } = await import('../../../migrate/input.ts');
  const { compareRuns } = await import('../../../migrate/compare.ts');
  const { writeOutputFile } = await import('../../../core/files.ts');

  const converter = converterFor(opts.to);
  const scenario = await loadScenario(file, { allowOutsideCurves: opts.allowOutsideCurves, ...manifestGrants(opts) });
  if (opts.cost !== undefined) scenario.cost = layerPrices(scenario.cost, readPricesFile(opts.cost));
  const source = manifestsSource(scenario, opts.manifests);
  const found = await loadHarnessManifests(source ? { source } : {});
  for (const w of found.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  // Without manifests of theirs, the run's own: the overlay the replay applies.
  const theirs = source?.path ?? join(MANIFESTS_DIR, 'overlays/local');
  const { input, overridden } = migrationInput(found, scenario);
  const migration = converter.convert(input);
  const out = resolve(opts.out ?? `migrate-${converter.target}`);
  const written = await writeMigration(out, theirs, { overlay: () => overlayFiles(migration, relative(out, theirs) || '.', found.hpa), file: () => manifestsFile(found.objects, migration, found.hpa) });
  process.stdout.write(`written: ${written.join(', ')} (${migration.remove.map((o) => o.kind).join(' and ')} → ${migration.kind})\n`);

  const registered = PLACEMENTS.map((p) => p.kind);
  if (!registered.includes(migration.kind)) {
    throw new UserError(`the placement kind ${migration.kind} is not registered (kinds/registry.ts registers ${registered.join(', ')}): the manifests are written, but ebbflow cannot simulate or replay a ${migration.kind}, so there is nothing to compare yet`, `add the ${migration.kind} kind (kinds/README.md, "Adding a kind"), or compare with --to uniteddeployment`);
  }
  // The successor's run: the same scenario on the written manifests, its elasticWorkload: already in them.
  const successor: Scenario = { ...scenario, name: `${scenario.name}-${converter.target}`, elasticWorkload: {}, manifestGrants: { ...scenario.manifestGrants, allowOutside: true } };
  const migrated = await loadHarnessManifests({ source: programSource(out) });
  const successorSystem = systemFromScenario(successor, harnessSystemManifests(migrated));
  if (successorSystem.placement.kind !== migration.kind) {
    throw new UserError(`${relative(process.cwd(), out) || '.'}: the registered kinds resolve the migrated manifests as a ${successorSystem.placement.kind}, not the ${migration.kind} written there`, `the ${migration.kind} kind's discovery must find the object beside the HPA's target (kinds/README.md)`);
  }
  const currentKind = systemFromScenario(scenario, harnessSystemManifests(found)).placement.kind;
  const both = [{ name: 'current', scenario, manifests: harnessSystemManifests(found) }, { name: converter.target, scenario: successor, manifests: harnessSystemManifests(migrated) }];
  // Simulated in any case (seconds): with a replay, it tells the placements' differences from the replay's timing.
  const simulated = await simulateRuns(both, opts.replay ? undefined : out);
  const views = opts.replay
    ? await replayRuns([{ name: 'current', scenario, kind: currentKind, ...(opts.manifests ? { manifestsPath: opts.manifests } : {}) }, { name: converter.target, scenario: successor, kind: migration.kind, manifestsPath: out }], out, opts.backend)
    : simulated;
  const how = opts.replay ? `replayed on the ${opts.backend} control plane` : 'simulated';
  const c = compareRuns(views[0]!, views[1]!, converter, { scenario: relative(process.cwd(), scenario.file), how, notCarried: migration.notCarried, overridden, ...(opts.replay ? { simulated: [simulated[0]!, simulated[1]!] as const } : {}) });
  writeOutputFile(join(out, 'summary.md'), c.markdown);
  process.stdout.write(`${c.markdown}\nsummary: ${relative(process.cwd(), join(out, 'summary.md'))}; reports: ${relative(process.cwd(), join(out, 'current'))}/, ${relative(process.cwd(), join(out, converter.target))}/\n`);
  setOutcome(c.passed ? EXIT.ok : EXIT.failed);
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description("Convert your ElasticWorkload (its Deployment and HPA) to a successor — OpenKruise's UnitedDeployment or WorkloadSpread, or ACK's ResourcePolicy — as a kustomize overlay beside your manifests, run the same scenario on both and write a side-by-side summary.md")
    .argument('<scenario>', 'scenario file whose curve and expectations both runs share, e.g. scenarios/smoke.yaml')
    .requiredOption('--to <kind>', `the successor: ${TO.join(', ')}`, (v: string) => {
      if (!TO.includes(v)) throw new InvalidArgumentError(`expected one of ${TO.join(', ')}.`);
      return v;
    })
    .option('--manifests <path>', "your system's manifests: a kustomize directory (the overlay references it) or a folder of YAML or one file (one converted file is written); default: the scenario's manifests:, else the shipped ones")
    .option('--out <dir>', 'write the overlay, summary.md and each run\'s reports (current/, <kind>/) here (default: migrate-<kind>)')
    .option('--no-replay', 'write the files and compare both in the simulator (seconds) instead of on a control plane (minutes)')
    .option('--backend <backend>', 'where the replays run: local (processes, KWOK nodes) or kind (Docker)', (v: string) => {
      if (v !== 'local' && v !== 'kind') throw new InvalidArgumentError('expected local or kind.');
      return v;
    }, 'local')
    .option('--cost <file>', "your prices (YAML or JSON, the scenario's cost: format): laid over the scenario's cost:")
    .option('--allow-outside-curves', 'read curve files outside the scenario\'s directory (only for scenarios you trust)')
    .option('--allow-outside-manifests', "read manifests outside the scenario's directory and the current one (only for scenarios you trust)")
    .option('--allow-remote-manifests', 'let kustomize fetch URL and git resources of the manifests (only for manifests you trust)')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow migrate scenarios/smoke.yaml --to uniteddeployment', 'npx ebbflow migrate my-scenario.yaml --to uniteddeployment --manifests deploy/overlays/prod --no-replay', 'npx ebbflow migrate scenarios/smoke.yaml --to workloadspread --out migrate-ws/'], ok: 'the successor met every expectation', failed: 'the successor failed an expectation (the table says which and where the runs differ)', interrupted: 'interrupted (the replay\'s partial report written)' }))
    .action(migrate);
}
