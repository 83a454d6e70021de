import { AppsV1Api, CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import YAML from 'yaml';
import { compressExporterConfig, type ExporterConfig } from '../../../exporter/index.ts';
import { serviceMonitorToScrapeTarget, type KubeObject } from '../../../manifests/index.ts';
import { UserError } from '../../../core/errors.ts';
import { waitUntil } from '../../../core/wait.ts';
import type { ReplayPlan } from '../plan.ts';

/**
 * The pod side of a backend that runs real containers (kind, existing): the manifests' exporter and
 * workload as pods in a given kubeconfig + namespace, reaching the host's fake SLS at an address of
 * this machine the pods can route to. The object building is pure (`exporterPods`, `workloadPods`);
 * `deployPods` applies and waits; `exporterProxyPath` is how the host reads the exporter pod (the
 * API server's service proxy).
 */

/** What runs only beside a local control plane: refused, before anything starts, by a backend that runs pods. */
export function refuseHostOnlyParts(plan: ReplayPlan): void {
  const file = plan.scenario.file;
  if (plan.scenario.source.mode === 'events') throw new UserError(`${file}: source.mode events runs on the local backend only`, 'remove source: or replay it with --backend local');
  if (plan.scenario.exporter) throw new UserError(`${file}: exporter: (your own exporter process) runs on the local backend only`, 'remove exporter: or replay it with --backend local');
}

/** Where the pods go and how they reach this machine. */
export interface PodTarget {
  kubeconfig: string;
  kubeConfig: KubeConfig;
  /** Every object is put in this namespace (kind: the manifests' own; existing: the one ebbflow owns). */
  namespace: string;
  /** An address of this machine the pods can reach (kind: the Docker network's gateway). */
  hostAddress: string;
}

/** Images already present on the nodes (`kind load`) or in a registry the cluster pulls from. */
export interface PodImages {
  exporter: string;
  /** Stands in for the business workload's image(s): serves HTTP on the first container port. */
  workload: string;
  /** `IfNotPresent` for loaded images; the manifests' `Always` would ask a registry. */
  pullPolicy?: 'IfNotPresent' | 'Never' | 'Always';
}

/** The fake SLS as the pods see it. */
export interface PodSls {
  port: number;
  accessKeyId: string;
  accessKeySecret: string;
}

/**
 * The SLS SDK addresses a project as `<project>.<endpoint host>`. No cluster DNS is needed: every
 * name the exporter resolves is a hostAlias of the pod, pointing at the host address.
 */
export const SLS_HOST = 'fake-sls.ebbflow';

export interface ExporterPods {
  objects: KubeObject[];
  /** The exporter's Service and its port (name or number). */
  service: { namespace: string; name: string; port: string };
  deployment: string;
  /** The pods' labels (to find them) and the container port the Service targets (numeric: the pod proxy needs one). */
  podLabels: Record<string, string>;
  podPort: number;
}

type PodSpec = { containers: Container[]; hostAliases?: { ip: string; hostnames: string[] }[]; volumes?: { configMap?: { name: string } }[]; serviceAccountName?: string };
type Probe = { periodSeconds?: number; initialDelaySeconds?: number };
type Container = { readinessProbe?: Probe; livenessProbe?: Probe; startupProbe?: Probe; name: string; image: string; imagePullPolicy?: string; env?: { name: string; value?: string; valueFrom?: unknown }[]; ports?: { name?: string; containerPort: number }[]; command?: string[]; args?: string[] };
type Workload = KubeObject & { spec: { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } } };

const podSpec = (o: KubeObject): PodSpec | undefined => (o as Partial<Workload>).spec?.template?.spec;

/** The exporter config the pod reads: the fake SLS endpoint, the replay's intervals divided by k, no credentials in the file. */
export function podExporterConfig(plan: ReplayPlan, slsPort: number): ExporterConfig {
  const base = plan.exporterConfig;
  const p = plan.system.pipeline;
  return compressExporterConfig(
    {
      ...base,
      sls: { ...base.sls, endpoint: `${SLS_HOST}:${slsPort}`, credentials: {} },
      metrics: base.metrics.map((m) => ({ ...m, window: p.slsWindowSeconds, interval: p.exporterIntervalSeconds, maxStaleness: Math.max(m.maxStaleness, p.exporterIntervalSeconds * 2) })),
    },
    plan.scenario.compression,
  );
}

/** The manifests' exporter Deployment (the one mounting the ConfigMap that holds the exporter config), its ConfigMap, ServiceAccount and Service, patched to run here. */
export function exporterPods(plan: ReplayPlan, o: { target: PodTarget; images: PodImages; sls: PodSls }): ExporterPods {
  const objs = plan.manifests.objects;
  const cm = objs.find((x) => x.kind === 'ConfigMap' && Object.values((x as { data?: Record<string, string> }).data ?? {}).includes(plan.manifests.exporterConfigYaml));
  const dep = cm && objs.find((x) => x.kind === 'Deployment' && podSpec(x)?.volumes?.some((v) => v.configMap?.name === cm.metadata.name));
  if (!cm || !dep) {
    throw new UserError(`${plan.manifests.source ?? 'manifests/overlays/local'}: no Deployment mounts the exporter's ConfigMap`, 'a backend that runs pods deploys the exporter from your manifests: add its Deployment, or replay with --backend local');
  }
  const labels = (dep as Workload).spec.template.metadata?.labels ?? {};
  const svc = objs.find((x) => x.kind === 'Service' && Object.entries((x as { spec?: { selector?: Record<string, string> } }).spec?.selector ?? { none: '' }).every(([k, v]) => labels[k] === v));
  if (!svc) throw new UserError(`${plan.manifests.source ?? 'manifests'}: no Service selects the exporter Deployment ${dep.metadata.name}`, 'add the Service your ServiceMonitor scrapes');
  const sa = podSpec(dep)?.serviceAccountName;
  const account = sa ? objs.find((x) => x.kind === 'ServiceAccount' && x.metadata.name === sa) : undefined;
  const cfg = podExporterConfig(plan, o.sls.port);
  const data = (cm as KubeObject & { data: Record<string, string> }).data;
  const key = Object.entries(data).find(([, v]) => v === plan.manifests.exporterConfigYaml)![0];
  const config = { ...structuredClone(cm), data: { ...data, [key]: YAML.stringify(cfg) } };
  const hostnames = [SLS_HOST, ...new Set(cfg.metrics.map((m) => `${m.project}.${SLS_HOST}`))];
  const deployment = patchPods(dep, { image: o.images.exporter, pullPolicy: o.images.pullPolicy ?? 'IfNotPresent' }, (spec) => {
    spec.hostAliases = [{ ip: o.target.hostAddress, hostnames }];
    for (const c of spec.containers) c.env = [...(c.env ?? []).filter((e) => !e.name.startsWith('ALIBABA_CLOUD_')), { name: 'ALIBABA_CLOUD_ACCESS_KEY_ID', value: o.sls.accessKeyId }, { name: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', value: o.sls.accessKeySecret }];
  });
  const port = (svc as KubeObject & { spec: { ports?: { name?: string; port: number; targetPort?: string | number }[] } }).spec.ports?.[0];
  const objects = [account, config, svc, deployment].filter((x): x is KubeObject => x !== undefined).map((x) => inNamespace(x, o.target.namespace));
  const podPort = containerPort(podSpec(dep)!, port?.targetPort ?? port?.port) ?? cfg.listen.port;
  return { objects, service: { namespace: o.target.namespace, name: svc.metadata.name, port: port?.name ?? String(port?.port ?? '') }, deployment: dep.metadata.name, podLabels: labels, podPort };
}

/** A Service's targetPort (a container port's name or number) as the container port number. */
function containerPort(spec: PodSpec, target: string | number | undefined): number | undefined {
  if (typeof target === 'number') return target;
  return spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === target)?.containerPort;
}

/**
 * The business workload with every container's image replaced by the stand-in, listening on the
 * container's first port. Probe periods are kubelet wall time: divided by k (at least 1 s, the API's
 * floor), or a pod would turn Ready minutes of virtual time late.
 */
export function workloadPods(deployment: KubeObject, images: PodImages, k = 1): KubeObject {
  return patchPods(deployment, { image: images.workload, pullPolicy: images.pullPolicy ?? 'IfNotPresent' }, (spec) => {
    for (const c of spec.containers) {
      delete c.command;
      delete c.args;
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) if (probe) compressProbe(probe, k);
      const port = c.ports?.[0]?.containerPort ?? 8080;
      c.env = [...(c.env ?? []).filter((e) => e.name !== 'PORT'), { name: 'PORT', value: String(port) }];
    }
  });
}

function patchPods(o: KubeObject, img: { image: string; pullPolicy: string }, more: (spec: PodSpec) => void): KubeObject {
  const out = structuredClone(o) as Workload;
  const spec = out.spec.template.spec;
  for (const c of spec.containers) {
    c.image = img.image;
    c.imagePullPolicy = img.pullPolicy;
  }
  more(spec);
  return out;
}

function compressProbe(p: Probe, k: number): void {
  p.periodSeconds = Math.max(1, Math.round((p.periodSeconds ?? 10) / k));
  if (p.initialDelaySeconds !== undefined) p.initialDelaySeconds = Math.floor(p.initialDelaySeconds / k);
}

const inNamespace = (o: KubeObject, ns: string): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace: ns } });

/** The API server's service proxy path of the exporter (append `/metrics`). */
export function exporterProxyPath(s: ExporterPods['service']): string {
  return `/api/v1/namespaces/${s.namespace}/services/${s.name}:${s.port}/proxy`;
}

/** The API server's proxy path of one exporter pod (append `/metrics`): Prometheus scrapes each pod, as the ServiceMonitor's endpoints would. */
export function exporterPodProxyPath(namespace: string, pod: string, port: number): string {
  return `/api/v1/namespaces/${namespace}/pods/${pod}:${port}/proxy`;
}

/** The exporter's pods that run now, by name. */
export async function exporterPodNames(target: PodTarget, pods: ExporterPods): Promise<string[]> {
  const core = target.kubeConfig.makeApiClient(CoreV1Api);
  const selector = Object.entries(pods.podLabels).map(([k, v]) => `${k}=${v}`).join(',');
  const list = await core.listNamespacedPod({ namespace: target.namespace, labelSelector: selector });
  return list.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name!).sort();
}

/**
 * One scrape target per running exporter pod through the API server's pod proxy (reached through
 * `proxyUrl`, a `kubectl proxy`), labelled with the pod's name, as the ServiceMonitor's endpoints are;
 * and the first pod's URLs for the warm-up's and the probe's view of the exporter.
 */
export async function exporterPodScrape(plan: ReplayPlan, target: PodTarget, pods: ExporterPods, proxyUrl: string): Promise<{ targets: ReturnType<typeof serviceMonitorToScrapeTarget>[]; exporter: { url: string; metricsUrl: string } }> {
  const scrape = { ...plan.manifests.scrape, intervalSeconds: plan.system.pipeline.scrapeIntervalSeconds };
  const path = scrape.path ?? '/metrics';
  const names = await exporterPodNames(target, pods);
  const via = (pod: string) => exporterPodProxyPath(target.namespace, pod, pods.podPort);
  const targets = names.map((pod) => {
    const t = serviceMonitorToScrapeTarget({ ...scrape, path: `${via(pod)}${path}` }, proxyUrl.replace('http://', ''), pod);
    return { ...t, job: `${t.job}/${pod}` };
  });
  return { targets, exporter: { url: `${proxyUrl}${via(names[0]!)}`, metricsUrl: `${proxyUrl}${via(names[0]!)}${path}` } };
}

/**
 * Creates the objects and waits until the Deployment has every replica Ready, or (`until:
 * 'running'`) every replica's pod Running: what a scrape through the pod proxy needs. The readiness
 * probe's first success can come a whole period (10 s in the shipped manifests) after the
 * container listens; the warm-up waits for the metric itself.
 */
export async function deployPods(target: PodTarget, pods: ExporterPods, o: { signal?: AbortSignal; timeoutMs?: number; until?: 'ready' | 'running' } = {}): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(target.kubeConfig);
  for (const obj of pods.objects) {
    await api.create(obj as KubernetesObject).catch((e: unknown) => {
      throw new Error(`creating ${obj.kind} ${obj.metadata.name} in ${target.namespace}: ${(e as { body?: string }).body ?? String(e)}`);
    });
  }
  const apps = target.kubeConfig.makeApiClient(AppsV1Api);
  const core = target.kubeConfig.makeApiClient(CoreV1Api);
  const running = o.until === 'running';
  await waitUntil(
    `the exporter Deployment ${pods.deployment} ${running ? 'Running' : 'Ready'}`,
    o.timeoutMs ?? 180_000,
    async () => {
      const d = await apps.readNamespacedDeployment({ name: pods.deployment, namespace: target.namespace });
      const want = d.spec?.replicas ?? 1;
      if (!running) return (d.status?.readyReplicas ?? 0) >= want ? true : undefined;
      return (await exporterPodNames(target, pods)).length >= want ? true : undefined;
    },
    () => 'pods: (see `kubectl get pods -o wide` and `kubectl describe pod` in the namespace)',
    running ? 250 : 500,
    o.signal,
  ).catch(async (e: unknown) => {
    const pods = await core.listNamespacedPod({ namespace: target.namespace }).catch(() => undefined);
    const why = pods?.items.map((p) => `${p.metadata?.name}: ${p.status?.phase} ${(p.status?.containerStatuses ?? []).map((c) => JSON.stringify(c.state)).join(' ')}`).join('\n');
    throw Object.assign(e as Error, { message: `${(e as Error).message}\n${why ?? ''}` });
  });
}
