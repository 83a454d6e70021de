import { ecsNodeLabels } from '../../../../cluster/kind/config.ts';
import { ensureExporterImage, ensureWorkloadImage } from '../../../../cluster/kind/images.ts';
import { nodePoolsSchema } from '../../../../cluster/nodes/config.ts';
import { AdapterComponent } from '../../components/adapter.ts';
import { placementComponents, placementReplacesScheduler } from '../../components/controller.ts';
import { FakeSlsComponent } from '../../components/fake-sls.ts';
import { KedaScalerComponent, runExporterConfig } from '../../components/keda-scaler.ts';
import { KindClusterComponent } from '../../components/kind-cluster.ts';
import { exporterPodScrape, exporterPods, workloadPods, type PodImages, type PodTarget } from '../../components/pod-objects.ts';
import { ExporterPodsComponent, KubectlProxyComponent } from '../../components/pods.ts';
import { PrometheusComponent } from '../../components/prometheus.ts';
import { QueryClockProxyComponent } from '../../components/query-clock.ts';
import { describeSetup, type BackendOptions, type RunContext, type SetupTiming } from '../../backend.ts';
import type { ReplayPlan } from '../../plan.ts';
import type { Pipeline } from '../../warmup.ts';
import { applyWorkload } from '../../workload.ts';

/**
 * The kind backend: a kind cluster (real kubelet, vk-eci as the ECI node) in Docker; the exporter
 * and the workload as pods from the manifests; the fake SLS, Prometheus, the adapter and the
 * ElasticWorkload controller as host processes, reachable from the node at the Docker network's
 * gateway. kcm runs from the start (kubeadm starts it), so the HPA may need up to its 30 s discovery
 * reset to learn the ElasticWorkload CRD: the warm-up waits for it.
 *
 * Each step starts as soon as what it needs is there: the images are imported into the node while
 * `kind create` runs (KindClusterComponent); once the cluster answers, the placement's controllers
 * beside the fake SLS, the exporter pods (Running, not Ready) and the kubectl proxy; Prometheus once
 * the pods have names; then the adapter beside the workload's apply.
 */
export async function startKindPipeline(plan: ReplayPlan, o: BackendOptions, { stack, workDir, progress }: RunContext): Promise<Pipeline> {
  const s = plan.scenario;
  const { system: sys } = plan;
  const k = s.compression;
  const pools = nodePoolsSchema.parse(s.nodes ?? {});
  let images: PodImages | undefined;
  progress({ phase: 'setup', message: `starting the kind cluster (k=${k}), building the exporter and workload images and importing them into its node` });
  const cluster = await stack.up(
    new KindClusterComponent(
      {
        name: plan.clusterName,
        compression: k,
        hpa: { syncPeriodSeconds: sys.flags.syncPeriodSeconds, downscaleStabilizationSeconds: sys.flags.downscaleStabilizationSeconds, tolerance: sys.flags.tolerance },
        nodeLabels: ecsNodeLabels(pools),
        ...(pools.eci.enabled ? { eci: pools.eci } : {}),
        // A placement with its own scheduler (a ResourcePolicy's) gets the cluster without kind's:
        // it is stopped once the node is up, before any pod of the run exists, and ours starts on
        // the host below with the placement's components, against the API server's host port.
        ...(placementReplacesScheduler(plan) ? { scheduler: 'external' as const } : {}),
      },
      async () => {
        images = { exporter: await ensureExporterImage(), workload: await ensureWorkloadImage(), pullPolicy: 'IfNotPresent' };
        return [images.exporter, images.workload];
      },
      o.toolchainProgress,
      () => stack.elapsed(),
    ),
  );
  const kc = cluster.get();
  plan.warnings.push(...kc.kind.warnings);
  // A ResourcePolicy's scheduler and deletion-cost controller only call the API server (its host port, from the kubeconfig).
  // A controller beside the cluster (OpenKruise's manager) is reached by the kind API server at the Docker network's gateway, as the adapter is.
  const host = () => ({ cluster: plan.clusterName, dir: workDir, kubeconfig: kc.kubeconfig, address: kc.hostAddress });
  const steps: SetupTiming[] = [];
  const timed = async <T>(component: string, step: () => Promise<T>): Promise<T> => {
    const from = stack.elapsed();
    const v = await step();
    steps.push({ component, from, to: stack.elapsed() });
    return v;
  };
  progress({ phase: 'setup', message: 'starting the controllers, the exporter pods, Prometheus and prometheus-adapter side by side' });
  // The placement's controllers, the exporter's pods and the kubectl proxy need nothing of each other.
  const controllersUp = Promise.all(placementComponents(plan, { kubeConfig: () => kc.kubeConfig, logger: o.logger, host }).map((c) => stack.up(c)));
  const target: PodTarget = { kubeconfig: kc.kubeconfig, kubeConfig: kc.kubeConfig, namespace: plan.namespace, hostAddress: kc.hostAddress };
  const [, { exporter, prometheus, scaler }] = await stack.concurrently([
    () => controllersUp,
    async () => {
      // The exporter pod reads the wall clock: the fake reads its windows as ending at the virtual now.
      const sls = await stack.up(new FakeSlsComponent({ host: kc.hostAddress, curve: plan.devices, now: plan.clock.now, projects: plan.slsProjects, wallQueries: true, logger: o.logger }));
      const cred = sls.get().credentials[0]!;
      // KEDA's operator runs on this machine (the scaler kind's components above), so an `external`
      // trigger's SLS scaler runs here too, on loopback, on the run's clock as on local: it asks the fake
      // SLS at the address the pods reach it by, which is this machine's.
      const scaler = plan.externalScaler
        ? await stack.up(new KedaScalerComponent(() => runExporterConfig(plan, `${kc.hostAddress}:${sls.get().port}`), { host: '127.0.0.1', port: 0, now: plan.clock.now, ...(o.logger ? { logger: o.logger.child({ component: 'keda-scaler' }) } : {}) }))
        : undefined;
      const pods = exporterPods(plan, { target, images: images!, sls: { port: sls.get().port, accessKeyId: cred.accessKeyId, accessKeySecret: cred.accessKeySecret } });
      // Running is enough: Prometheus scrapes each pod through the API server's pod proxy, and the warm-up waits for the metric.
      const [, proxy] = await stack.concurrently([
        () => stack.up(new ExporterPodsComponent(() => target, () => pods, 'running')),
        () => stack.up(new KubectlProxyComponent(() => ({ cluster: plan.clusterName, dir: workDir, kubeconfig: kc.kubeconfig }))),
      ] as const);
      const { targets, exporter } = await exporterPodScrape(plan, target, pods, proxy.get().url);
      const prometheus = await stack.up(new PrometheusComponent(() => ({ cluster: plan.clusterName, dir: workDir, compression: k, targets })));
      return { exporter, prometheus, scaler };
    },
  ] as const);
  // A scaler that asks Prometheus at whole seconds (KEDA's prometheus trigger) asks through the virtual clock's seconds.
  const scalerPrometheus = plan.system.queryResolutionSeconds ? await stack.up(new QueryClockProxyComponent(() => ({ target: prometheus.get().url, clock: plan.clock }))) : undefined;
  const img = images!;
  await stack.concurrently([
    () => stack.up(
      new AdapterComponent(() => ({
        cluster: plan.clusterName, dir: workDir, kubeconfig: kc.kubeconfig, kubeConfig: kc.kubeConfig, prometheusUrl: prometheus.get().url,
        rulesYaml: plan.manifests.adapterRulesYaml, relistSeconds: sys.pipeline.adapterRelistSeconds, compression: k, bindAddress: kc.hostAddress,
      })),
    ),
    // The workload's pods really start: the stand-in image, probe periods divided by k.
    // KEDA runs on the host beside the cluster: a prometheus trigger asks the host's Prometheus, an external one the host's scaler.
    () => timed('workload', () => applyWorkload(kc, plan, (d) => workloadPods(d, img, k), { prometheusUrl: scalerPrometheus?.get() ?? prometheus.get().url, ...(scaler ? { externalScaler: scaler.get().address } : {}) })),
  ]);
  const timings = [...cluster.phases, ...stack.timings, ...steps];
  progress({ phase: 'setup', message: `setup: ${describeSetup(timings)}`, setupTimings: timings });
  return { cluster: kc, exporter, prometheus: prometheus.get(), metric: plan.metric };
}
