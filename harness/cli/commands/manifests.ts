import type { Command } from 'commander';
import { EXIT, interruptible, rejectOnAbort, setOutcome } from '../boundary.ts';
import { helpFooter } from '../help.ts';

export function register(program: Command): void {
  const m = program.command('manifests').description('The production manifests in manifests/ (kustomize overlays: aliyun, local)');
  m.addHelpText('after', helpFooter({ examples: ['npx ebbflow manifests check', 'npx ebbflow manifests check --overlay aliyun --kubeconfig ~/.kube/config'] }));
  m.command('check')
    .description('Render each overlay, validate every object by server-side dry-run on a local cluster (with the ElasticWorkload and ServiceMonitor CRDs), and lint with kube-score')
    .option('--overlay <name>', 'only this overlay (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--kubeconfig <file>', 'use this cluster instead of starting a local one')
    .option('--dir <dir>', 'a manifests directory other than the shipped one (e.g. your fork of it)')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow manifests check', 'npx ebbflow manifests check --overlay aliyun --kubeconfig ~/.kube/config', 'npx ebbflow manifests check --dir deploy/manifests'], ok: 'all valid and lint-clean', failed: 'an object failed or lint found problems' }))
    .action(async (opts: { overlay: string[]; kubeconfig?: string; dir?: string }) => {
      const { existsSync, readdirSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { KubeConfig } = await import('@kubernetes/client-node');
      const { UserError } = await import('../../../core/errors.ts');
      const { MANIFESTS_DIR } = await import('../../../manifests/index.ts');
      const { checkOverlays } = await import('../../../manifests/check.ts');
      const dir = opts.dir ?? MANIFESTS_DIR;
      if (!existsSync(join(dir, 'overlays'))) throw new UserError(`${dir} has no overlays/ directory`, 'give --dir a manifests directory like the shipped manifests/');
      const available = readdirSync(join(dir, 'overlays'));
      const overlays = opts.overlay.length ? opts.overlay : available;
      for (const o of overlays) if (!available.includes(o)) throw new UserError(`no overlay "${o}" in ${join(dir, 'overlays')}`, `overlays: ${available.join(', ') || '(none)'}`);
      let stop = async () => {};
      let kubeconfig = opts.kubeconfig;
      const kc = new KubeConfig();
      if (kubeconfig) {
        if (!existsSync(kubeconfig)) throw new UserError(`kubeconfig ${kubeconfig} does not exist`);
        kc.loadFromFile(kubeconfig);
      } else {
        const { startCluster } = await import('../../../cluster/local/index.ts');
        process.stderr.write('starting a local cluster for server-side dry-run…\n');
        const c = await startCluster({ name: 'manifests-check', nodePools: { ecs: [{ name: 'ecs', count: 1 }] } });
        stop = () => c.stop();
        kubeconfig = c.kubeconfig;
        kc.loadFromFile(kubeconfig);
      }
      try {
        // Ctrl-C: the check is abandoned, the cluster stopped, exit 130.
        const r = await interruptible((signal) => Promise.race([checkOverlays({ overlays, kubeconfig, kubeConfig: kc, dir, onObject: (o) => process.stdout.write(`${o.ok ? '✓' : '✗'} [${o.overlay}] ${o.ok ? o.object : o.message}\n`) }), rejectOnAbort(signal, 'the check was abandoned')]));
        for (const l of r.lint) {
          process.stdout.write(`${l.ok ? '✓' : '✗'} [${l.overlay}] kube-score: ${l.ok ? 'no findings' : `${l.findings.length} findings`}\n`);
          for (const f of l.findings) process.stdout.write(`    ${f}\n`);
        }
        const bad = r.objects.filter((o) => !o.ok).length + r.lint.filter((l) => !l.ok).length;
        process.stdout.write(`\n${bad ? `FAILED: ${bad} problem(s)` : `OK: ${r.objects.length} objects valid, lint clean`} (overlays: ${overlays.join(', ')})\n`);
        setOutcome(bad ? EXIT.failed : EXIT.ok);
      } finally {
        await stop();
      }
    });
}
