import { EW_CRD, CUSTOM_METRICS_APISERVICES } from '../../../../cluster/existing/check.ts';
import { detectHostAddress } from '../../../../cluster/existing/host-address.ts';
import type { KubernetesObject } from '@kubernetes/client-node';
import { controllerFacts, controllersPreflight, groupVersions, needsClusterController, webhooksAnswer, type Needed } from '../../../../cluster/existing/controllers.ts';
import { OwnedNamespaceComponent } from '../../../../cluster/existing/namespace.ts';
import type { ExistingTarget } from '../../../../cluster/existing/options.ts';
import { ensureExporterImage, ensureWorkloadImage } from '../../../../cluster/kind/images.ts';
import { AdapterComponent } from '../../components/adapter.ts';
import { placementOnlyComponents } from '../../components/controller.ts';
import type { KubeObject } from '../../../../manifests/index.ts';
import { MetricServedComponent } from '../../components/metric-served.ts';
import { FakeSlsComponent } from '../../components/fake-sls.ts';
import { HostRecordsComponent } from '../../components/host-records.ts';
import { exporterPodScrape, exporterPods, workloadPods, type PodImages, type PodTarget } from '../../components/pod-objects.ts';
import { ExporterPodsComponent, KubectlProxyComponent } from '../../components/pods.ts';
import { PrometheusComponent } from '../../components/prometheus.ts';
import type { BackendOptions, RunContext } from '../../backend.ts';
import { runsKruise, type ReplayPlan } from '../../plan.ts';
import type { Pipeline } from '../../warmup.ts';
import { applyWorkload } from '../../workload.ts';
import { scrapeForCluster } from './cluster-metrics.ts';
import { contextKubeconfig, replayCluster } from './connection.ts';
import { annotateAndRegister, survey } from './survey.ts';

/**
 * The existing backend: a cluster ebbflow did not create. The run owns one namespace (created,
 * labelled, deleted on exit); the exporter and the workload run there as pods (the images must be
 * on the nodes or in a registry they pull from); the fake SLS listens on this machine at the host
 * address. The cluster's own custom metrics adapter is used when it has an Available one (the
 * exporter gets the manifests' ServiceMonitor and scrape annotations); otherwise ebbflow's
 * Prometheus + adapter run here and are registered for the run only. kcm keeps its own flags.
 * A kind whose controller the cluster must run (OpenKruise's placements, ACK's ResourcePolicy,
 * KEDA's ScaledObject) is checked against what runs there before anything is created; none of
 * those controllers is ever started here.
 */
export async function startExistingPipeline(plan: ReplayPlan, t: ExistingTarget, o: BackendOptions, { stack, workDir, progress }: RunContext): Promise<Pipeline> {
  const hostAddress = t.hostAddress ?? (await detectHostAddress(t.kubeConfig.getCurrentCluster()!.server));
  const kubeconfig = contextKubeconfig(t, workDir);
  progress({ phase: 'setup', message: `existing cluster (context ${t.context}): namespace ${t.namespace}, host address ${hostAddress}` });
  // Before anything is created: the controllers the kinds need must already run there (ebbflow starts none).
  await checkClusterControllers(plan, t, progress);
  await stack.up(new HostRecordsComponent(plan.clusterName));
  const ns = await stack.up(new OwnedNamespaceComponent({ kubeConfig: t.kubeConfig, name: t.namespace }));
  // Kruise's webhooks answer for the placement (a dry run in the run's namespace): its manager runs now, not only once.
  if (runsKruise(plan) && plan.ew) await webhooksAnswer(t.kubeConfig, plan.ew as KubernetesObject);
  const found = await survey(t.kubeConfig);
  // A scaler that generates its HPA (KEDA's ScaledObject) reads its trigger, not the custom metrics API.
  const generated = plan.hpaName !== plan.hpa.metadata.name;
  const images: PodImages = { exporter: await ensureExporterImage(), workload: await ensureWorkloadImage(), pullPolicy: 'IfNotPresent' };
  if (!found.ewCrd && plan.ew && !needsClusterController(plan.system.placement.kind)) {
    // Only the ElasticWorkload's own controller is brought along, and only where the cluster has none of its CRD.
    for (const c of placementOnlyComponents(plan, { kubeConfig: () => t.kubeConfig, ...(o.logger ? { logger: o.logger } : {}) })) await stack.up(c);
    await annotateAndRegister(t.kubeConfig, ns, 'apiextensions.k8s.io/v1', 'CustomResourceDefinition', EW_CRD);
  } else if (plan.ew && !needsClusterController(plan.system.placement.kind)) {
    plan.warnings.push(`existing cluster: the ElasticWorkload CRD was already there, so the cluster's own controller (not ebbflow's) splits replicas over ECS and ECI`);
  }
  const sls = await stack.up(new FakeSlsComponent({ host: hostAddress, curve: plan.devices, now: plan.clock.now, projects: plan.slsProjects, wallQueries: true, logger: o.logger }));
  const target: PodTarget = { kubeconfig, kubeConfig: t.kubeConfig, namespace: t.namespace, hostAddress };
  const cred = () => sls.get().credentials[0]!;
  const pods = exporterPods(plan, { target, images, sls: { port: sls.get().port, accessKeyId: cred().accessKeyId, accessKeySecret: cred().accessKeySecret } });
  const adapter = found.adapter;
  const hint = adapter.use === 'cluster' && !generated ? scrapeForCluster(plan, pods, found.serviceMonitorCrd, adapter) : undefined;
  if (hint) {
    progress({ phase: 'setup', message: `using the cluster's own adapter: ${hint.split('\n')[0]}` });
    plan.warnings.push(`existing cluster, its own metrics adapter: ${hint}`);
  }
  await stack.up(new ExporterPodsComponent(() => target, () => pods));
  const proxy = await stack.up(new KubectlProxyComponent(() => ({ cluster: plan.clusterName, dir: workDir, kubeconfig })));
  const { targets, exporter } = await exporterPodScrape(plan, target, pods, proxy.get().url);
  // With the cluster's adapter this Prometheus only observes (the report's stage lag); without one it feeds ours.
  // For KEDA's prometheus trigger this Prometheus is the one the cluster's KEDA asks: it listens at the host address.
  const prometheus = await stack.up(new PrometheusComponent(() => ({ cluster: plan.clusterName, dir: workDir, compression: plan.scenario.compression, targets, ...(generated ? { bindAddress: hostAddress } : {}) })));
  if (adapter.use === 'ours' && !generated) {
    await stack.up(
      new AdapterComponent(() => ({
        cluster: plan.clusterName, dir: workDir, kubeconfig, kubeConfig: t.kubeConfig, prometheusUrl: prometheus.get().url, namespace: t.namespace,
        rulesYaml: plan.manifests.adapterRulesYaml, relistSeconds: plan.system.pipeline.adapterRelistSeconds, compression: plan.scenario.compression, bindAddress: hostAddress, annotations: ns.annotations,
      })),
    );
    for (const name of CUSTOM_METRICS_APISERVICES) ns.register({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name } });
  }
  const metric = plan.metric;
  if (metric) await stack.up(new MetricServedComponent({ kubeConfig: t.kubeConfig, metric, timeoutSeconds: o.warmupTimeoutSeconds ?? 180, hint: hint ?? 'ebbflow\'s adapter (registered for this run) did not serve it: check prometheus-adapter.log and prometheus.log in the run\'s work directory' }));
  const cluster = replayCluster(plan.clusterName, kubeconfig, t.kubeConfig, found.virtualNode);
  // The workload's pods really start: the stand-in image, probe periods divided by k.
  // A prometheus trigger asks this run's Prometheus: the cluster's would mix in every other exporter's series (the shipped query is max(active_devices)).
  await applyWorkload(cluster, plan, (d) => workloadPods(d, images, plan.scenario.compression), generated ? { prometheusUrl: prometheus.get().url } : {});
  return { cluster, exporter, prometheus: prometheus.get(), metric };
}

/** The objects of the plan whose controller the cluster must run (a placement of OpenKruise's or ACK's, KEDA's ScaledObject). */
export function clusterControllerNeeds(plan: Pick<ReplayPlan, 'ew' | 'hpa'>): Needed[] {
  return [plan.ew, plan.hpa].filter((x): x is KubeObject => x !== undefined && needsClusterController(x.kind)).map((x) => ({ kind: x.kind, apiVersion: x.apiVersion }));
}

/** Refuses (UserError, nothing created yet) what the cluster's controllers cannot do; warns about what cannot be checked (ACK's scheduler). */
async function checkClusterControllers(plan: ReplayPlan, t: ExistingTarget, progress: RunContext['progress']): Promise<void> {
  const needed = clusterControllerNeeds(plan);
  if (!needed.length) return;
  const pre = controllersPreflight(needed, await controllerFacts(t.kubeConfig, groupVersions(needed)));
  if (pre.refusal) throw pre.refusal;
  for (const w of pre.warnings) progress({ phase: 'setup', message: w });
  plan.warnings.push(...pre.warnings);
  progress({ phase: 'setup', message: `using the cluster's own controller for ${needed.map((n) => n.kind).join(' and ')}` });
}
