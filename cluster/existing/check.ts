import { ApiextensionsV1Api, ApiregistrationV1Api, AuthorizationV1Api, CoreV1Api, VersionApi, type KubeConfig, type V1APIService } from '@kubernetes/client-node';
import { UserError } from '../../core/errors.ts';
import { decideNamespace, RUN_ID_ANNOTATION } from './namespace.ts';
import { controllerFacts, describeControllers, servedKinds, type ControllerFacts } from './controllers.ts';
import { describeExternalMetrics, EXTERNAL_METRICS_APISERVICE, externalMetricsOwner, type ExternalMetricsOwner } from './external-metrics.ts';

export const CUSTOM_METRICS_GROUP = 'custom.metrics.k8s.io';
export const CUSTOM_METRICS_APISERVICES = [`v1beta2.${CUSTOM_METRICS_GROUP}`, `v1beta1.${CUSTOM_METRICS_GROUP}`];
export const SERVICEMONITOR_CRD = 'servicemonitors.monitoring.coreos.com';
export const EW_CRD = 'elasticworkloads.autoscaling.alibabacloud.com';
/** autoscaling/v2 (Object metrics, behavior) is GA from 1.23. */
const MIN_MINOR = 23;

export type AdapterChoice = { use: 'cluster'; apiService: string; service: string } | { use: 'ours' };

/**
 * Who serves the custom metrics API during the run. An Available APIService of the cluster is used
 * as it is; none at all means ebbflow registers its own for the run. One that exists but is not
 * Available is refused: replacing it would break the cluster's own HPAs, and waiting on it would
 * make every warm-up time out.
 */
export function adapterChoice(apiServices: V1APIService[]): AdapterChoice {
  const found = apiServices.filter((a) => a.spec?.group === CUSTOM_METRICS_GROUP || CUSTOM_METRICS_APISERVICES.includes(a.metadata?.name ?? ''));
  if (!found.length) return { use: 'ours' };
  const available = found.find((a) => a.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True'));
  if (available) {
    const svc = available.spec?.service;
    return { use: 'cluster', apiService: available.metadata!.name!, service: svc ? `${svc.namespace}/${svc.name}` : 'local' };
  }
  const a = found[0]!;
  const cond = a.status?.conditions?.find((c) => c.type === 'Available');
  const leftBy = a.metadata?.annotations?.[RUN_ID_ANNOTATION];
  if (leftBy) {
    throw new UserError(
      `the APIService ${a.metadata?.name} was registered by ebbflow run ${leftBy}, which did not finish, and is not Available`,
      `if no ebbflow run is going on against this cluster, remove what it left: kubectl delete apiservice ${found.map((x) => x.metadata?.name).join(' ')} (and its namespace, labelled ebbflow.io/owner=ebbflow)`,
    );
  }
  throw new UserError(
    `the cluster's APIService ${a.metadata?.name} exists but is not Available (${cond ? `${cond.reason}: ${cond.message}` : 'no status'}); ebbflow never replaces an APIService the cluster already has`,
    `fix the cluster's metrics adapter first (kubectl get apiservice ${a.metadata?.name} -o yaml), or replay against a cluster without one`,
  );
}

export interface AccessItem {
  verb: string;
  group: string;
  resource: string;
  /** Cluster-scoped when absent. */
  namespace?: string;
  why: string;
}

/** What a run needs to be allowed, as SelfSubjectAccessReview questions. */
export function requiredAccess(namespace: string, o: { ownAdapter: boolean; serviceMonitor: boolean; ewCrdPresent: boolean }): AccessItem[] {
  const ns = (verb: string, group: string, resource: string, why: string): AccessItem => ({ verb, group, resource, namespace, why });
  const items: AccessItem[] = [
    { verb: 'create', group: '', resource: 'namespaces', why: 'create the run\'s own namespace' },
    { verb: 'delete', group: '', resource: 'namespaces', why: 'delete it at the end' },
    { verb: 'get', group: 'apiregistration.k8s.io', resource: 'apiservices', why: 'find the cluster\'s custom metrics adapter' },
    { verb: 'get', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', why: 'find the ElasticWorkload and ServiceMonitor CRDs' },
    ...['create', 'delete', 'list', 'watch'].map((v) => ns(v, 'apps', 'deployments', 'the workload and the exporter')),
    ...['create', 'delete'].map((v) => ns(v, '', 'services', 'the workload\'s and the exporter\'s Services')),
    ...['create', 'delete'].map((v) => ns(v, '', 'configmaps', 'the exporter\'s config')),
    ...['create', 'delete'].map((v) => ns(v, '', 'secrets', 'the exporter\'s credentials for the fake SLS')),
    ...['list', 'watch'].map((v) => ns(v, '', 'pods', 'record where pods run')),
    ...['create', 'get', 'watch'].map((v) => ns(v, 'autoscaling', 'horizontalpodautoscalers', 'the HPA under test')),
    ns('get', CUSTOM_METRICS_GROUP, 'services', 'read the metric as the HPA sees it (warm-up)'),
    ...['create', 'get', 'update', 'watch'].map((v) => ns(v, 'autoscaling.alibabacloud.com', 'elasticworkloads', 'the ElasticWorkload and its controller')),
    ...['create', 'update'].map((v) => ns(v, 'apps', 'deployments/scale', 'the ElasticWorkload controller scales its Deployments')),
  ];
  if (!o.ewCrdPresent) items.push(...['create', 'delete'].map((verb) => ({ verb, group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', why: 'install the ElasticWorkload CRD for the run (the cluster has none)' })));
  if (o.ownAdapter) items.push(...['create', 'delete'].map((verb) => ({ verb, group: 'apiregistration.k8s.io', resource: 'apiservices', why: 'register ebbflow\'s adapter (the cluster has none)' })));
  if (o.serviceMonitor) items.push(...['create', 'delete'].map((v) => ns(v, 'monitoring.coreos.com', 'servicemonitors', 'have the cluster\'s Prometheus scrape the exporter')));
  return items;
}

export interface ClusterFindings {
  server: string;
  context: string;
  version: string;
  adapter: AdapterChoice;
  /** Who serves external.metrics.k8s.io (KEDA, an adapter, something else, nobody). */
  externalMetrics?: ExternalMetricsOwner;
  /** What the cluster runs of the controllers a kind needs there (OpenKruise, ACK's scheduler, KEDA). */
  controllers?: ControllerFacts;
  serviceMonitorCrd: boolean;
  ewCrd: boolean;
  namespace: { name: string; state: 'absent' | 'ours' | 'foreign' };
  access: (AccessItem & { allowed: boolean })[];
  /** What a run of a kind the cluster serves (UnitedDeployment, ScaledObject, …) needs besides; only such a run needs it, so it does not fail `cluster up`. */
  kindAccess?: (AccessItem & { kind: string; allowed: boolean })[];
}

/** The rights a run of one of the served kinds needs in the namespace: create its object, and the recorder's get, list and watch. */
export function kindAccessItems(namespace: string, kinds: { kind: string; group: string; plural: string }[]): (AccessItem & { kind: string })[] {
  return kinds.flatMap((k) => ['create', 'get', 'list', 'watch'].map((verb) => ({ kind: k.kind, verb, group: k.group, resource: k.plural, namespace, why: `a ${k.kind} replay` })));
}

const minorOf = (v: { major?: string; minor?: string }) => Number.parseInt(v.minor ?? '', 10);

/**
 * What `cluster up --backend existing` reports: reachability, version, who serves the custom metrics
 * API, which CRDs exist, the namespace's state and every permission a run needs.
 */
export async function inspectCluster(kc: KubeConfig, context: string, namespace: string): Promise<ClusterFindings> {
  const server = kc.getCurrentCluster()!.server;
  const v = await kc.makeApiClient(VersionApi).getCode().catch((e: unknown) => {
    throw new UserError(`cannot reach the cluster at ${server} (context ${context}): ${(e as Error).message}`, 'check the kubeconfig, the network path to the API server and that your credentials are current');
  });
  if (minorOf(v) < MIN_MINOR && v.major === '1') throw new UserError(`the cluster runs Kubernetes ${v.gitVersion}; ebbflow needs 1.${MIN_MINOR} or later (autoscaling/v2)`, 'use a newer cluster');
  const reg = kc.makeApiClient(ApiregistrationV1Api);
  const apiServices = (await Promise.all(CUSTOM_METRICS_APISERVICES.map((name) => reg.readAPIService({ name }).catch(() => undefined)))).filter((a): a is V1APIService => a !== undefined);
  const adapter = adapterChoice(apiServices);
  const externalMetrics = externalMetricsOwner(await reg.readAPIService({ name: EXTERNAL_METRICS_APISERVICE }).catch(() => undefined));
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const crd = (name: string) => ext.readCustomResourceDefinition({ name }).then(() => true, () => false);
  const [serviceMonitorCrd, ewCrd] = await Promise.all([crd(SERVICEMONITOR_CRD), crd(EW_CRD)]);
  const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: namespace }).catch(() => undefined);
  const d = decideNamespace(namespace, ns);
  const state = !ns ? 'absent' : d.action === 'refuse' && d.message.includes('not created by ebbflow') ? 'foreign' : 'ours';
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const items = requiredAccess(namespace, { ownAdapter: adapter.use === 'ours', serviceMonitor: serviceMonitorCrd, ewCrdPresent: ewCrd });
  // Unreadable (a kubeconfig without the rights): not a finding of its own; a run that needs them says so.
  const controllers = await controllerFacts(kc).catch(() => undefined);
  const review = async <T extends AccessItem>(i: T): Promise<T & { allowed: boolean }> => {
    const [resource, subresource] = i.resource.split('/');
    const r = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: i.verb, group: i.group, resource, ...(subresource ? { subresource } : {}), ...(i.namespace ? { namespace: i.namespace } : {}) } } } });
    return { ...i, allowed: r.status?.allowed === true };
  };
  const access = await Promise.all(items.map(review));
  const kindAccess = await Promise.all(kindAccessItems(namespace, controllers ? servedKinds(controllers) : []).map(review));
  return { server, context, version: v.gitVersion, adapter, externalMetrics, controllers, serviceMonitorCrd, ewCrd, namespace: { name: namespace, state }, access, kindAccess };
}

/** The findings as the lines `cluster up --backend existing` prints. */
export function describeFindings(f: ClusterFindings): string[] {
  const missing = f.access.filter((a) => !a.allowed);
  const res = (a: AccessItem) => `${a.verb} ${a.group ? `${a.group}/` : ''}${a.resource}${a.namespace ? ` in ${a.namespace}` : ''}`;
  return [
    `cluster ${f.server} (context ${f.context}) is reachable, Kubernetes ${f.version}`,
    f.adapter.use === 'cluster'
      ? `custom metrics API: served by the cluster's own adapter (${f.adapter.apiService} → ${f.adapter.service}, Available); a run uses it and does not register ebbflow's`
      : 'custom metrics API: none; a run registers ebbflow\'s adapter (host Prometheus + prometheus-adapter) for its duration and removes it after',
    ...(f.externalMetrics ? [describeExternalMetrics(f.externalMetrics)] : []),
    `ServiceMonitor CRD (${SERVICEMONITOR_CRD}): ${f.serviceMonitorCrd ? 'present; the exporter is deployed with the manifests\' ServiceMonitor' : 'absent; the exporter pod carries prometheus.io/scrape annotations only'}`,
    `ElasticWorkload CRD: ${f.ewCrd ? 'present (the cluster\'s); a run uses it' : 'absent; a run installs it with its controller and removes it after'}`,
    ...(f.controllers ? describeControllers(f.controllers) : []),
    f.namespace.state === 'absent'
      ? `namespace ${f.namespace.name}: does not exist; a run creates it labelled as ebbflow's and deletes it at the end`
      : f.namespace.state === 'foreign'
        ? `namespace ${f.namespace.name}: exists and is not ebbflow's; a run would refuse it (choose another --namespace)`
        : `namespace ${f.namespace.name}: left by another ebbflow run; a run waits for it or refuses it`,
    `permissions: ${f.access.length - missing.length}/${f.access.length} allowed${missing.length ? '; missing:' : ''}`,
    ...missing.map((a) => `  missing: ${res(a)} (${a.why})`),
    ...describeKindAccess(f.kindAccess ?? [], res),
  ];
}

/** One line per served kind: its run's rights, all allowed or the missing ones named (a run of that kind only would need them). */
function describeKindAccess(items: (AccessItem & { kind: string; allowed: boolean })[], res: (a: AccessItem) => string): string[] {
  const kinds = [...new Set(items.map((i) => i.kind))];
  return kinds.map((k) => {
    const mine = items.filter((i) => i.kind === k);
    const no = mine.filter((i) => !i.allowed);
    return `for a ${k} run: ${mine.length - no.length}/${mine.length} allowed${no.length ? `; missing: ${no.map(res).join(', ')}` : ''}`;
  });
}
