import { AdapterComponent } from '../../components/adapter.ts';
import { ClusterComponent } from '../../components/cluster.ts';
import { placementComponents, placementReplacesScheduler } from '../../components/controller.ts';
import { PrometheusComponent } from '../../components/prometheus.ts';
import { QueryClockProxyComponent } from '../../components/query-clock.ts';
import { describeSetup, type BackendOptions, type RunContext, type SetupTiming } from '../../backend.ts';
import type { ReplayPlan } from '../../plan.ts';
import type { Pipeline } from '../../warmup.ts';
import { applyWorkload } from '../../workload.ts';
import { startSource } from './source.ts';

/**
 * Cluster, controller, fake SLS, exporter, Prometheus and adapter, each as soon as what it needs is
 * up: the data source and Prometheus beside the control plane (Prometheus hands its first targets
 * to its scrapers only at its 5 s discovery tick, which then passes while the cluster starts), the
 * controller and then the workload (Deployment, Service, ElasticWorkload, HPA) beside the adapter,
 * kcm once the CRD and the adapter are up (beside the workload's apply).
 */
export async function startLocalPipeline(plan: ReplayPlan, o: BackendOptions, { stack, workDir, progress }: RunContext): Promise<Pipeline> {
  const s = plan.scenario;
  const { system: sys } = plan;
  const k = s.compression;
  progress({ phase: 'setup', message: `starting the local cluster (k=${k}), fake SLS (${s.source.mode} mode), exporter and Prometheus` });
  const cluster = new ClusterComponent(
    {
      name: plan.clusterName,
      compression: k,
      ...(s.nodes ? { nodePools: s.nodes } : {}),
      // The placement's components start the scheduler (a kube-scheduler with its plugin).
      ...(placementReplacesScheduler(plan) ? { scheduler: 'external' as const } : {}),
      hpa: { syncPeriodSeconds: sys.flags.syncPeriodSeconds, downscaleStabilizationSeconds: sys.flags.downscaleStabilizationSeconds, tolerance: sys.flags.tolerance },
    },
    o.toolchainProgress,
    // kcm starts last, once the ElasticWorkload CRD and the custom metrics API exist, so its
    // first discovery finds them instead of waiting for its 30 s RESTMapper reset.
    { deferControllerManager: true },
  );
  const [, { source, prometheus, scalerPrometheus }] = await stack.concurrently([
    () => stack.up(cluster),
    async () => {
      // Processes go through the cluster's supervisor: only once a leftover of its name is cleared.
      await cluster.claimed;
      const source = await startSource(stack, plan, { workDir, logger: o.logger });
      const prometheus = await stack.up(new PrometheusComponent(() => ({ cluster: plan.clusterName, dir: workDir, compression: k, targets: [source.target] })));
      // A scaler that asks Prometheus at whole seconds (KEDA's prometheus trigger) asks through the virtual clock's seconds.
      const scalerPrometheus = plan.system.queryResolutionSeconds ? await stack.up(new QueryClockProxyComponent(() => ({ target: prometheus.get().url, clock: plan.clock }))) : undefined;
      return { source, prometheus, scalerPrometheus };
    },
  ] as const);
  progress({ phase: 'setup', message: 'starting the ElasticWorkload controller and prometheus-adapter, applying the workload' });
  const steps: SetupTiming[] = [];
  const timed = async (component: string, step: () => Promise<unknown>) => {
    const from = stack.elapsed();
    await step();
    steps.push({ component, from, to: stack.elapsed() });
  };
  const host = () => ({ cluster: cluster.get().name, dir: workDir, kubeconfig: cluster.get().kubeconfig });
  const controllerUp = Promise.all(placementComponents(plan, { kubeConfig: () => cluster.get().kubeConfig, logger: o.logger, host }).map((c) => stack.up(c)));
  await stack.concurrently([
    async () => {
      await stack.up(
        new AdapterComponent(() => {
          const c = cluster.get();
          const rules = plan.manifests.adapterRulesYaml;
          return { cluster: c.name, dir: workDir, kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, prometheusUrl: prometheus.get().url, rulesYaml: rules, relistSeconds: sys.pipeline.adapterRelistSeconds, compression: k };
        }),
      );
      await controllerUp;
      // kcm's first discovery must find the CRD and the custom metrics API; the HPA it may find later.
      await timed('kube-controller-manager', async () => cluster.get().startControllerManager?.());
    },
    // The workload as soon as the CRD exists: the first ElasticWorkload create after it took ~2 s
    // (measured), which then passes beside the adapter's start and kcm's. Second, so that when both
    // fail the adapter's own error is the one reported, not a create refused by a stopping cluster.
    () => controllerUp.then(() => timed('workload', () => applyWorkload(cluster.get(), plan, undefined, { prometheusUrl: scalerPrometheus?.get() ?? prometheus.get().url, ...(source.externalScaler ? { externalScaler: source.externalScaler } : {}) }))),
  ]);
  const timings = [...stack.timings, ...steps];
  progress({ phase: 'setup', message: `setup: ${describeSetup(timings)}`, setupTimings: timings });
  return { cluster: cluster.get(), exporter: source.exporter, prometheus: prometheus.get(), metric: plan.metric, ...(source.probes ? { probes: source.probes } : {}), ...(source.held ? { held: source.held } : {}) };
}
