import type { AdapterChoice } from '../../../../cluster/existing/check.ts';
import { clusterAdapterHint, fixedLabels, serviceMonitorsFor, withScrapeAnnotations } from '../../../../cluster/existing/scrape.ts';
import type { KubeObject } from '../../../../manifests/index.ts';
import type { ExporterPods } from '../../components/pod-objects.ts';
import type { ReplayPlan } from '../../plan.ts';

/**
 * For the cluster's own Prometheus: the manifests' ServiceMonitor in the run's namespace (when the
 * CRD exists) and scrape annotations on the exporter pods. Returns what the adapter must serve.
 */
export function scrapeForCluster(plan: ReplayPlan, pods: ExporterPods, serviceMonitorCrd: boolean, adapter: Extract<AdapterChoice, { use: 'cluster' }>): string {
  const m = objectMetricName(plan);
  const svc = pods.objects.find((o) => o.kind === 'Service' && o.metadata.name === pods.service.name)!;
  const monitors = serviceMonitorsFor(plan.manifests.objects, svc, plan.namespace) as KubeObject[];
  const port = (svc as { spec?: { ports?: { port: number }[] } }).spec?.ports?.[0]?.port ?? 9464;
  const i = pods.objects.findIndex((o) => o.kind === 'Deployment' && o.metadata.name === pods.deployment);
  pods.objects[i] = withScrapeAnnotations(pods.objects[i]!, { port, path: plan.manifests.scrape.path ?? '/metrics' }) as KubeObject;
  if (serviceMonitorCrd) pods.objects.push(...monitors);
  return clusterAdapterHint({ metric: m.name, namespace: plan.namespace, service: m.service, apiService: adapter.apiService, adapterService: adapter.service, rulesYaml: plan.manifests.adapterRulesYaml, serviceMonitor: serviceMonitorCrd && monitors.length > 0, labels: fixedLabels(monitors) });
}

function objectMetricName(plan: ReplayPlan): { name: string; service: string } {
  const m = (plan.hpa.spec as { metrics?: { type: string; object?: { describedObject?: { name?: string }; metric?: { name?: string } } }[] }).metrics?.find((x) => x.type === 'Object');
  return { name: m?.object?.metric?.name ?? 'active_devices', service: m?.object?.describedObject?.name ?? 'nginx' };
}
