import { Option, type Command } from 'commander';
import { EXIT, setOutcome } from '../boundary.ts';
import { helpFooter } from '../help.ts';
import { manifestGrants, type ManifestFlags } from '../options.ts';

interface LintOpts extends ManifestFlags {
  manifests?: string;
  scenario?: string;
  format: 'text' | 'json' | 'sarif';
  failOn: 'error' | 'warning' | 'note';
  timeZone?: string;
  allowOutsideCurves?: boolean;
}

export function register(program: Command): void {
  program
    .command('lint')
    .description("Check the autoscaling policy of your manifests against a scenario's curve: each finding comes with a simulated counter-example (a time, the need, what the HPA held)")
    .option('--manifests <path>', "your system's manifests: a kustomize directory, a folder of YAML or one file (default: the scenario's manifests:, else the shipped manifests/base)")
    .option('--scenario <file>', "the scenario whose curve, nodes and controller flags the simulation uses; its hpa:/elasticWorkload: overrides are ignored (default: the shipped scenarios/weekday.yaml, a whole weekday)")
    .addOption(new Option('--format <format>', 'text (file:line findings), json (one document) or sarif (SARIF 2.1.0 for code scanning annotations on a PR)').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding has this severity or a higher one').choices(['error', 'warning', 'note']).default('error'))
    .option('--time-zone <tz>', "the IANA time zone CronHPA schedules are read in (the controller's TZ) (default: the scenario's timezone:, else UTC)")
    .option('--allow-outside-curves', "read curve files outside the scenario's directory (only for scenarios you trust)")
    .option('--allow-outside-manifests', "read manifests (and the files their kustomization reads) outside the scenario's directory and the current one (only for manifests you trust)")
    .option('--allow-remote-manifests', 'let kustomize fetch URL and git resources of the manifests (only for manifests you trust)')
    .addHelpText('after', helpFooter({
      examples: ['npx ebbflow lint', 'npx ebbflow lint --manifests deploy/overlays/prod --scenario ebbflow/scenario.yaml', 'npx ebbflow lint --manifests deploy/overlays/prod --format sarif > ebbflow.sarif'],
      ok: 'no finding at or above --fail-on',
      failed: 'a finding at or above --fail-on (default error)',
      interrupted: false,
    }))
    .action(async (opts: LintOpts) => {
      const { fileURLToPath } = await import('node:url');
      const { loadScenario } = await import('../../../scenarios/index.ts');
      const { manifestsSource } = await import('../../../manifests/files.ts');
      const { checkTimeZone, ScheduleError } = await import('../../../cluster/cronhpa/schedule.ts');
      const { UserError } = await import('../../../core/errors.ts');
      const { loadLint, runRules, failing, toSarif, toText, RULES } = await import('../../../lint/index.ts');
      try {
        if (opts.timeZone !== undefined) checkTimeZone(opts.timeZone);
      } catch (e) {
        if (e instanceof ScheduleError) throw new UserError(`--time-zone: ${e.message}`);
        throw e;
      }
      const file = opts.scenario ?? fileURLToPath(new URL('../../../scenarios/weekday.yaml', import.meta.url));
      const scenario = await loadScenario(file, { allowOutsideCurves: opts.allowOutsideCurves, ...manifestGrants(opts) });
      const { ctx, manifests, notes } = await loadLint({ scenario, manifests: manifestsSource(scenario, opts.manifests), timeZone: opts.timeZone ?? scenario.timezone });
      const findings = runRules(ctx);
      setOutcome(failing(findings, opts.failOn) ? EXIT.failed : EXIT.ok);
      if (opts.format === 'sarif') {
        const { packageVersion } = await import('../main.ts');
        process.stdout.write(`${JSON.stringify(toSarif(findings, RULES, packageVersion()), null, 2)}\n`);
        for (const n of notes) process.stderr.write(`note: ${n}\n`);
        return;
      }
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ manifests, scenario: scenario.name, coveragePercent: ctx.coveragePercent, notes, findings, rules: RULES.map(({ id, severity, summary }) => ({ id, severity, summary })) }, null, 2)}\n`);
        return;
      }
      process.stdout.write(toText(findings, { manifests, scenario: scenario.name, coveragePercent: ctx.coveragePercent, notes }));
    });
}
