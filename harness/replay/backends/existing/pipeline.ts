import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, ApiregistrationV1Api, CoreV1Api, type KubeConfig, type V1APIService } from '@kubernetes/client-node';
import { execa } from 'execa';
import { adapterChoice, CUSTOM_METRICS_APISERVICES, EW_CRD, SERVICEMONITOR_CRD, type AdapterChoice } from '../../../../cluster/existing/check.ts';
import { detectHostAddress } from '../../../../cluster/existing/host-address.ts';
import { OwnedNamespaceComponent } from '../../../../cluster/existing/namespace.ts';
import type { ExistingTarget } from '../../../../cluster/existing/options.ts';
import { clusterAdapterHint, fixedLabels, serviceMonitorsFor, withScrapeAnnotations } from '../../../../cluster/existing/scrape.ts';
import { ensureExporterImage, ensureWorkloadImage } from '../../../../cluster/kind/images.ts';
import { ensureBinaries } from '../../../../cluster/toolchain/index.ts';
import type { KubeObject } from '../../../../manifests/index.ts';
import { UserError } from '../../../../core/errors.ts';
import { AdapterComponent } from '../../components/adapter.ts';
import { placementController } from '../../components/controller.ts';
import { MetricServedComponent } from '../../components/metric-served.ts';
import { FakeSlsComponent } from '../../components/fake-sls.ts';
import { HostRecordsComponent } from '../../components/host-records.ts';
import { exporterPodScrape, exporterPods, workloadPods, type ExporterPods, type PodImages, type PodTarget } from '../../components/pod-objects.ts';
import { ExporterPodsComponent, KubectlProxyComponent } from '../../components/pods.ts';
import { PrometheusComponent } from '../../components/prometheus.ts';
import type { BackendOptions, RunContext } from '../../backend.ts';
import { objectMetric, slsProjects, type ReplayPlan } from '../../plan.ts';
import type { Pipeline, ReplayCluster } from '../../warmup.ts';
import { applyWorkload } from '../../workload.ts';

/** What the cluster already has: who serves custom metrics, and which CRDs exist. */
async function survey(kc: KubeConfig): Promise<{ adapter: AdapterChoice; serviceMonitorCrd: boolean; ewCrd: boolean; virtualNode?: string }> {
  const reg = kc.makeApiClient(ApiregistrationV1Api);
  // Only "not found" means absent: an APIService we may not read could be the cluster's, and must not be replaced.
  const absent = (what: string) => (e: unknown) => {
    if ((e as { code?: number }).code === 404) return undefined;
    throw new UserError(`cannot read ${what} on the existing cluster: ${(e as Error).message}`, 'the run needs get on apiservices and customresourcedefinitions; `ebbflow cluster up --backend existing` lists what is missing');
  };
  const apiServices = (await Promise.all(CUSTOM_METRICS_APISERVICES.map((name) => reg.readAPIService({ name }).catch(absent(`APIService ${name}`))))).filter((a): a is V1APIService => a !== undefined);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const crd = (name: string) => ext.readCustomResourceDefinition({ name }).then(() => true, (e: unknown) => absent(`CustomResourceDefinition ${name}`)(e) ?? false);
  // An ACK virtual node is labelled type=virtual-kubelet; the recorder tells ECI pods by it.
  const vk = await kc.makeApiClient(CoreV1Api).listNode({ labelSelector: 'type=virtual-kubelet' }).catch(() => undefined);
  const virtualNode = vk?.items[0]?.metadata?.name;
  return { adapter: adapterChoice(apiServices), serviceMonitorCrd: await crd(SERVICEMONITOR_CRD), ewCrd: await crd(EW_CRD), ...(virtualNode ? { virtualNode } : {}) };
}

/** The kubeconfig with the chosen context current, for the tools that take a file (kubectl, the adapter). */
function contextKubeconfig(t: ExistingTarget, dir: string): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, t.kubeConfig.exportConfig(), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/**
 * The existing backend: a cluster ebbflow did not create. The run owns one namespace (created,
 * labelled, deleted on exit); the exporter and the workload run there as pods (the images must be
 * on the nodes or in a registry they pull from); the fake SLS listens on this machine at the host
 * address. The cluster's own custom metrics adapter is used when it has an Available one (the
 * exporter gets the manifests' ServiceMonitor and scrape annotations); otherwise ebbflow's
 * Prometheus + adapter run here and are registered for the run only. kcm keeps its own flags.
 */
export async function startExistingPipeline(plan: ReplayPlan, t: ExistingTarget, o: BackendOptions, { stack, workDir, progress }: RunContext): Promise<Pipeline> {
  const hostAddress = t.hostAddress ?? (await detectHostAddress(t.kubeConfig.getCurrentCluster()!.server));
  const kubeconfig = contextKubeconfig(t, workDir);
  progress({ phase: 'setup', message: `existing cluster (context ${t.context}): namespace ${t.namespace}, host address ${hostAddress}` });
  await stack.up(new HostRecordsComponent(plan.clusterName));
  const ns = await stack.up(new OwnedNamespaceComponent({ kubeConfig: t.kubeConfig, name: t.namespace }));
  const found = await survey(t.kubeConfig);
  const images: PodImages = { exporter: await ensureExporterImage(), workload: await ensureWorkloadImage(), pullPolicy: 'IfNotPresent' };
  if (!found.ewCrd && plan.ew) {
    await stack.up(placementController({ kubeConfig: () => t.kubeConfig, namespace: plan.namespace, logger: o.logger }));
    await annotateAndRegister(t.kubeConfig, ns, 'apiextensions.k8s.io/v1', 'CustomResourceDefinition', EW_CRD);
  } else if (plan.ew) {
    plan.warnings.push(`existing cluster: the ElasticWorkload CRD was already there, so the cluster's own controller (not ebbflow's) splits replicas over ECS and ECI`);
  }
  const sls = await stack.up(new FakeSlsComponent({ host: hostAddress, curve: plan.devices, now: plan.clock.now, projects: slsProjects(plan), wallQueries: true, logger: o.logger }));
  const target: PodTarget = { kubeconfig, kubeConfig: t.kubeConfig, namespace: t.namespace, hostAddress };
  const cred = () => sls.get().credentials[0]!;
  const pods = exporterPods(plan, { target, images, sls: { port: sls.get().port, accessKeyId: cred().accessKeyId, accessKeySecret: cred().accessKeySecret } });
  const adapter = found.adapter;
  const hint = adapter.use === 'cluster' ? scrapeForCluster(plan, pods, found.serviceMonitorCrd, adapter) : undefined;
  if (hint) {
    progress({ phase: 'setup', message: `using the cluster's own adapter: ${hint.split('\n')[0]}` });
    plan.warnings.push(`existing cluster, its own metrics adapter: ${hint}`);
  }
  await stack.up(new ExporterPodsComponent(() => target, () => pods));
  const proxy = await stack.up(new KubectlProxyComponent(() => ({ cluster: plan.clusterName, dir: workDir, kubeconfig })));
  const { targets, exporter } = await exporterPodScrape(plan, target, pods, proxy.get().url);
  // With the cluster's adapter this Prometheus only observes (the report's stage lag); without one it feeds ours.
  const prometheus = await stack.up(new PrometheusComponent(() => ({ cluster: plan.clusterName, dir: workDir, compression: plan.scenario.compression, targets })));
  if (adapter.use === 'ours') {
    await stack.up(
      new AdapterComponent(() => ({
        cluster: plan.clusterName, dir: workDir, kubeconfig, kubeConfig: t.kubeConfig, prometheusUrl: prometheus.get().url, namespace: t.namespace,
        rulesYaml: plan.manifests.adapterRulesYaml, relistSeconds: plan.system.pipeline.adapterRelistSeconds, compression: plan.scenario.compression, bindAddress: hostAddress, annotations: ns.annotations,
      })),
    );
    for (const name of CUSTOM_METRICS_APISERVICES) ns.register({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name } });
  }
  const metric = objectMetric(plan);
  if (metric) await stack.up(new MetricServedComponent({ kubeConfig: t.kubeConfig, metric, timeoutSeconds: o.warmupTimeoutSeconds ?? 180, hint: hint ?? 'ebbflow\'s adapter (registered for this run) did not serve it: check prometheus-adapter.log and prometheus.log in the run\'s work directory' }));
  const cluster = replayCluster(plan.clusterName, kubeconfig, t.kubeConfig, found.virtualNode);
  // The workload's pods really start: the stand-in image, probe periods divided by k.
  await applyWorkload(cluster, plan, (d) => workloadPods(d, images, plan.scenario.compression));
  return { cluster, exporter, prometheus: prometheus.get(), metric };
}

/**
 * For the cluster's own Prometheus: the manifests' ServiceMonitor in the run's namespace (when the
 * CRD exists) and scrape annotations on the exporter pods. Returns what the adapter must serve.
 */
function scrapeForCluster(plan: ReplayPlan, pods: ExporterPods, serviceMonitorCrd: boolean, adapter: Extract<AdapterChoice, { use: 'cluster' }>): string {
  const svc = pods.objects.find((o) => o.kind === 'Service' && o.metadata.name === pods.service.name)!;
  const monitors = serviceMonitorsFor(plan.manifests.objects, svc, plan.namespace) as KubeObject[];
  const port = (svc as { spec?: { ports?: { port: number }[] } }).spec?.ports?.[0]?.port ?? 9464;
  const i = pods.objects.findIndex((o) => o.kind === 'Deployment' && o.metadata.name === pods.deployment);
  pods.objects[i] = withScrapeAnnotations(pods.objects[i]!, { port, path: plan.manifests.scrape.path ?? '/metrics' }) as KubeObject;
  if (serviceMonitorCrd) pods.objects.push(...monitors);
  const m = objectMetricName(plan);
  return clusterAdapterHint({ metric: m.name, namespace: plan.namespace, service: m.service, apiService: adapter.apiService, adapterService: adapter.service, rulesYaml: plan.manifests.adapterRulesYaml, serviceMonitor: serviceMonitorCrd && monitors.length > 0, labels: fixedLabels(monitors) });
}

function objectMetricName(plan: ReplayPlan): { name: string; service: string } {
  const m = (plan.hpa.spec as { metrics?: { type: string; object?: { describedObject?: { name?: string }; metric?: { name?: string } } }[] }).metrics?.find((x) => x.type === 'Object');
  return { name: m?.object?.metric?.name ?? 'active_devices', service: m?.object?.describedObject?.name ?? 'nginx' };
}

/** A cluster-scoped object the run just created: marked with the run id and handed to the namespace to remove at the end. */
async function annotateAndRegister(kc: KubeConfig, ns: OwnedNamespaceComponent, apiVersion: string, kind: string, name: string): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const crd = await ext.readCustomResourceDefinition({ name });
  crd.metadata = { ...crd.metadata, annotations: { ...crd.metadata?.annotations, ...ns.annotations } };
  await ext.replaceCustomResourceDefinition({ name, body: crd });
  ns.register({ apiVersion, kind, metadata: { name } });
}

function replayCluster(name: string, kubeconfig: string, kubeConfig: KubeConfig, virtualNode: string | undefined): ReplayCluster {
  return {
    name,
    kubeconfig,
    kubeConfig,
    virtualNode,
    kubectl: async (args, o) => {
      const { kubectl } = await ensureBinaries(['kubectl']);
      return String((await execa(kubectl!, ['--kubeconfig', kubeconfig, ...args], { input: o?.input })).stdout);
    },
  };
}
