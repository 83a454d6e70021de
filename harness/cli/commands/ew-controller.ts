import type { Command } from 'commander';
import { interruptible, untilAborted } from '../boundary.ts';
import { controllerKubeConfig, intIn, numberIn } from '../options.ts';
import { helpFooter } from '../help.ts';

export function register(program: Command): void {
  program
    .command('ew-controller')
    .description('Run the ElasticWorkload controller (autoscaling.alibabacloud.com/v1beta1) against a cluster until SIGINT/SIGTERM')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .option('--namespace <ns>', 'watch only this namespace (default: all)')
    .option('--install-crd', 'create or update the ElasticWorkload CRD first')
    .option('--workers <n>', 'concurrent reconciles', intIn(1, 64), 2)
    .option('--kube-api-qps <n>', 'client-side limit on API writes per second (like client-go)', numberIn(0.1, 10_000), 5)
    .option('--kube-api-burst <n>', 'writes allowed at once above the QPS limit', intIn(1, 10_000), 10)
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow ew-controller --kubeconfig ~/.kube/config --install-crd', 'npx ebbflow ew-controller --namespace shop --workers 4'], ok: 'stopped by SIGINT/SIGTERM', interrupted: 'a second signal before it stopped' }))
    .action(async (opts: { kubeconfig?: string; namespace?: string; installCrd?: boolean; workers: number; kubeApiQps: number; kubeApiBurst: number }) => {
      const { UserError } = await import('../../../core/errors.ts');
      const { createLogger } = await import('../../../core/log.ts');
      const { startController, installCrd } = await import('../../../cluster/elasticworkload/index.ts');
      if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new UserError(`--workers must be a positive integer, got ${opts.workers}`);
      if (!(opts.kubeApiQps > 0)) throw new UserError(`--kube-api-qps must be a positive number, got ${opts.kubeApiQps}`);
      if (!Number.isInteger(opts.kubeApiBurst) || opts.kubeApiBurst < 1) throw new UserError(`--kube-api-burst must be a positive integer, got ${opts.kubeApiBurst}`);
      const kc = await controllerKubeConfig(opts.kubeconfig);
      const log = createLogger('ew-controller');
      if (opts.installCrd) await installCrd(kc);
      const ctl = startController({ kubeConfig: kc, namespace: opts.namespace, logger: log, workers: opts.workers, rateLimit: { qps: opts.kubeApiQps, burst: opts.kubeApiBurst } });
      await ctl.synced.catch((e: unknown) => {
        throw new UserError(`cannot watch ElasticWorkloads on ${kc.getCurrentCluster()?.server}: ${e instanceof Error ? e.message : String(e)}`, 'is the CRD installed (try --install-crd) and may this kubeconfig list ElasticWorkloads, Deployments and Pods?');
      });
      log.info({ server: kc.getCurrentCluster()?.server, namespace: opts.namespace ?? '(all)' }, 'elasticworkload controller running');
      await interruptible(untilAborted);
      await ctl.stop();
      log.info('stopped');
    });
}
