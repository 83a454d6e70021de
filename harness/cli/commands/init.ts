import type { Command } from 'commander';
import { helpFooter } from '../help.ts';

export function register(program: Command): void {
  program
    .command('init')
    .description('Write a starter scenario (with a shipped curve), a GitHub Actions workflow and a GitLab CI example into the current repository')
    .option('--dir <dir>', 'where the scenario and its curve go, relative to the current directory', 'ebbflow')
    .option('--manifests <path>', "your HPA, workload, adapter rules and exporter config (kustomize directory, folder of YAML or one file); the scenario's `manifests:` points at it")
    .option('--force', 'overwrite files that exist')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow init', 'npx ebbflow init --manifests deploy/overlays/prod', 'npx ebbflow init --dir ci/ebbflow --force'], interrupted: false }))
    .action(async (o: { dir: string; manifests?: string; force?: boolean }) => {
      const { initProject } = await import('../../init/init.ts');
      const { packageVersion } = await import('../main.ts');
      const written = initProject({ root: process.cwd(), dir: o.dir, manifests: o.manifests, force: o.force, version: packageVersion(), onNote: (l) => process.stdout.write(`note: ${l}\n`) });
      for (const f of written) process.stdout.write(`wrote ${f}\n`);
      process.stdout.write(`\nnext: npx ebbflow simulate ${written[0]}   (seconds)\n      npx ebbflow replay ${written[0]}     (minutes; builds the toolchain once)\n`);
    });
}
