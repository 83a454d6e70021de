import type { Command } from 'commander';
import { interruptible, untilAborted } from '../boundary.ts';
import { controllerKubeConfig, numberIn } from '../options.ts';
import { helpFooter } from '../help.ts';

export function register(program: Command): void {
  program
    .command('cronhpa-controller')
    .description('Run the CronHPA controller (CronHorizontalPodAutoscaler, autoscaling.alibabacloud.com/v1beta1) against a cluster until SIGINT/SIGTERM')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .option('--namespace <ns>', 'watch only this namespace (default: all)')
    .option('--install-crd', 'create or update the CronHorizontalPodAutoscaler CRD first')
    .option('--time-zone <zone>', 'IANA time zone the schedules are read in (upstream: the TZ of the controller\'s container)', 'UTC')
    .option('--kube-api-qps <n>', 'client-side limit on API writes per second (like client-go)', numberIn(0.1, 10_000), 5)
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow cronhpa-controller --kubeconfig ~/.kube/config --install-crd', 'npx ebbflow cronhpa-controller --namespace shop --time-zone Asia/Shanghai'], ok: 'stopped by SIGINT/SIGTERM', interrupted: 'a second signal before it stopped' }))
    .action(async (opts: { kubeconfig?: string; namespace?: string; installCrd?: boolean; timeZone: string; kubeApiQps: number }) => {
      const { UserError } = await import('../../../core/errors.ts');
      const { createLogger } = await import('../../../core/log.ts');
      const { startController, installCrd, checkTimeZone, ScheduleError } = await import('../../../cluster/cronhpa/index.ts');
      try {
        checkTimeZone(opts.timeZone);
      } catch (e) {
        if (e instanceof ScheduleError) throw new UserError(`--time-zone: ${e.message}`);
        throw e;
      }
      const kc = await controllerKubeConfig(opts.kubeconfig);
      const log = createLogger('cronhpa-controller');
      if (opts.installCrd) await installCrd(kc);
      const ctl = startController({ kubeConfig: kc, namespace: opts.namespace, logger: log, timeZone: opts.timeZone, rateLimit: { qps: opts.kubeApiQps, burst: 10 } });
      await ctl.synced.catch((e: unknown) => {
        throw new UserError(`cannot watch CronHorizontalPodAutoscalers on ${kc.getCurrentCluster()?.server}: ${e instanceof Error ? e.message : String(e)}`, 'is the CRD installed (try --install-crd) and may this kubeconfig list them?');
      });
      log.info({ server: kc.getCurrentCluster()?.server, namespace: opts.namespace ?? '(all)', timeZone: opts.timeZone }, 'cronhpa controller running');
      await interruptible(untilAborted);
      await ctl.stop();
      log.info('stopped');
    });
}
