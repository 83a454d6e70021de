import { AdmissionregistrationV1Api, ApiregistrationV1Api, CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { UserError } from '../../core/errors.ts';
import { EXTERNAL_METRICS_APISERVICE, externalMetricsOwner, kedaPreflight, type ExternalMetricsOwner } from './external-metrics.ts';

/**
 * The controllers a cluster ebbflow did not create must already run for the kinds that need one:
 * OpenKruise (UnitedDeployment, WorkloadSpread), ACK's scheduler (ResourcePolicy) and KEDA
 * (ScaledObject). ebbflow never installs or starts a cluster-wide controller there; it checks what
 * runs and refuses, naming what is missing and how to fix it. The rules are pure (facts in, a
 * refusal or warnings out); `controllerFacts` and `webhooksAnswer` are the only calls to the cluster.
 */

/** The webhook configurations OpenKruise's manager fills with its CA bundle when its webhook server starts. */
export const KRUISE_WEBHOOKS = ['kruise-mutating-webhook-configuration', 'kruise-validating-webhook-configuration'] as const;

/** The kinds whose controller the cluster must run, their API and plural (what discovery must list). */
const NEEDS: Record<string, { group: string; plural: string; defaultVersion: string; controller: 'kruise' | 'ack-scheduler' | 'keda' }> = {
  UnitedDeployment: { group: 'apps.kruise.io', plural: 'uniteddeployments', defaultVersion: 'v1alpha1', controller: 'kruise' },
  WorkloadSpread: { group: 'apps.kruise.io', plural: 'workloadspreads', defaultVersion: 'v1alpha1', controller: 'kruise' },
  ResourcePolicy: { group: 'scheduling.alibabacloud.com', plural: 'resourcepolicies', defaultVersion: 'v1alpha1', controller: 'ack-scheduler' },
  ScaledObject: { group: 'keda.sh', plural: 'scaledobjects', defaultVersion: 'v1alpha1', controller: 'keda' },
};

/** An object of a kind the cluster must serve, as the replay applies it. */
export interface Needed {
  kind: string;
  apiVersion: string;
}

/** What the cluster has of those controllers, as read from it. */
export interface ControllerFacts {
  /** `group/version/plural` for every resource discovery lists in the group-versions asked about. */
  served: ReadonlySet<string>;
  /** Kruise's webhook configurations: absent, or present with (or without) a CA bundle on every webhook. */
  webhooks: Record<string, { caBundle: boolean } | undefined>;
  externalMetrics: ExternalMetricsOwner;
}

/** Whether ebbflow needs the cluster's own controller for this kind (false: ebbflow brings its own, or none is needed). */
export function needsClusterController(kind: string): boolean {
  return Object.hasOwn(NEEDS, kind);
}

const gvr = (n: Needed) => {
  const need = NEEDS[n.kind]!;
  const [group, version] = n.apiVersion.includes('/') ? n.apiVersion.split('/') : [need.group, need.defaultVersion];
  return { group: group!, version: version!, plural: need.plural, key: `${group}/${version}/${need.plural}` };
};

/** The group-versions `controllerFacts` must ask discovery about for these objects (and, for `cluster up`, every kind's default). */
export function groupVersions(needed: readonly Needed[] = defaultNeeds()): string[] {
  return [...new Set(needed.filter((n) => needsClusterController(n.kind)).map((n) => `${gvr(n).group}/${gvr(n).version}`))];
}

/** Every kind at the version ACK's and the projects' examples use: what `cluster up` reports on. */
export function defaultNeeds(): Needed[] {
  return Object.entries(NEEDS).map(([kind, n]) => ({ kind, apiVersion: `${n.group}/${n.defaultVersion}` }));
}

export interface Preflight {
  /** Why the run cannot work on this cluster, with the fix; undefined when it can. */
  refusal?: UserError;
  /** What the user must know (printed before the run, carried into the summary's fidelity warnings). */
  warnings: string[];
}

/**
 * The rule for one object: its resource is served (discovery lists it), and the controller behind
 * it shows it runs. Kruise: both webhook configurations exist with a CA bundle — the manager writes
 * the bundle itself when its webhook server starts, and it starts its controllers only after that,
 * whether it runs as the `kruise-system` Deployment or beside the cluster (then the webhooks point
 * at a URL and there is no Deployment or Service to look at); whether it still answers is asked
 * with a dry run once the run's namespace exists (`webhooksAnswer`). ResourcePolicy: only the CRD
 * can be checked — ACK's scheduler is closed, so the placement is judged from what the run records.
 * ScaledObject: the CRD, and KEDA holding external.metrics.k8s.io (`kedaPreflight`).
 */
export function controllerPreflight(n: Needed, f: ControllerFacts): Preflight {
  if (!needsClusterController(n.kind)) return { warnings: [] };
  const need = NEEDS[n.kind]!;
  const r = gvr(n);
  const served = f.served.has(r.key);
  if (need.controller === 'kruise') {
    if (!served) return { refusal: new UserError(`the cluster does not serve ${r.plural}.${r.group} ${r.version} (the ${n.kind} in the manifests): OpenKruise is not installed there, and ebbflow installs no controller into a cluster it did not create`, `install OpenKruise on the cluster (helm install kruise openkruise/kruise, or ACK's ack-kruise add-on), check with kubectl api-resources --api-group=${r.group}; or replay with --backend local or kind, where ebbflow runs OpenKruise's manager itself`), warnings: [] };
    const missing = KRUISE_WEBHOOKS.filter((w) => !f.webhooks[w]);
    const empty = KRUISE_WEBHOOKS.filter((w) => f.webhooks[w] && !f.webhooks[w]!.caBundle);
    if (missing.length) return { refusal: new UserError(`the cluster serves ${r.plural}.${r.group} but has no ${missing.join(' or ')}: OpenKruise's CRDs are there without its manager (it registers those webhooks), so nothing would act on the ${n.kind}`, 'install or repair OpenKruise\'s manager (kubectl -n kruise-system get deploy,pods; its Helm chart openkruise/kruise), or replay with --backend local or kind'), warnings: [] };
    if (empty.length) return { refusal: new UserError(`${empty.join(' and ')} on the cluster ha${empty.length === 1 ? 's' : 've'} no CA bundle: OpenKruise's manager never started its webhook server, and it starts its controllers only after that`, 'check the manager: kubectl -n kruise-system get pods, and its logs; or replay with --backend local or kind'), warnings: [] };
    return { warnings: [] };
  }
  if (need.controller === 'ack-scheduler') {
    if (!served) return { refusal: new UserError(`the cluster does not serve ${r.plural}.${r.group} ${r.version} (the ResourcePolicy in the manifests): it is ACK's, and only ACK's scheduler places pods by it`, 'replay against an ACK cluster (the ResourcePolicy CRD comes with its scheduler), or with --backend local or kind, where ebbflow runs an open scheduler plugin for it'), warnings: [] };
    return { warnings: ['existing cluster: the ResourcePolicy is applied, and only the cluster\'s scheduler (ACK\'s, closed) places the pods by it — ebbflow cannot check that scheduler beforehand; the placement is judged from what the run recorded (which node each pod ran on, which were removed first)'] };
  }
  if (!served) return { refusal: new UserError(`the cluster does not serve ${r.plural}.${r.group} ${r.version} (the ScaledObject in the manifests): KEDA is not installed there, and ebbflow installs no controller into a cluster it did not create`, 'install KEDA on the cluster (its release manifests or the Helm chart kedacore/keda; on ACK the ack-keda add-on), or replay with --backend local, where ebbflow runs KEDA itself'), warnings: [] };
  const refusal = kedaPreflight(f.externalMetrics);
  return refusal ? { refusal, warnings: [] } : { warnings: [] };
}

/** Every object's rule: the first refusal, else all warnings. */
export function controllersPreflight(needed: readonly Needed[], f: ControllerFacts): Preflight {
  const all = needed.map((n) => controllerPreflight(n, f));
  const refusal = all.find((p) => p.refusal)?.refusal;
  return refusal ? { refusal, warnings: [] } : { warnings: all.flatMap((p) => p.warnings) };
}

/** The kinds whose resource the cluster serves (at the default versions), for the permissions `cluster up` asks about. */
export function servedKinds(f: ControllerFacts): { kind: string; group: string; plural: string }[] {
  return defaultNeeds().filter((n) => f.served.has(gvr(n).key)).map((n) => ({ kind: n.kind, group: NEEDS[n.kind]!.group, plural: NEEDS[n.kind]!.plural }));
}

/** What `cluster up --backend existing` prints about each controller a kind may need. */
export function describeControllers(f: ControllerFacts): string[] {
  const line = (kind: string) => {
    const p = controllerPreflight(defaultNeeds().find((n) => n.kind === kind)!, f);
    return p.refusal ? `not usable — ${p.refusal.message}` : 'usable';
  };
  return [
    `OpenKruise (UnitedDeployment, WorkloadSpread): UnitedDeployment ${line('UnitedDeployment')}; WorkloadSpread ${line('WorkloadSpread')}`,
    `ResourcePolicy (ACK's scheduler): ${f.served.has('scheduling.alibabacloud.com/v1alpha1/resourcepolicies') ? 'CRD served; the placement is the cluster scheduler\'s, judged after a run from where the pods ran' : 'CRD not served; a ResourcePolicy run is refused'}`,
    `KEDA (ScaledObject): ${line('ScaledObject')}`,
  ];
}

const code = (e: unknown) => (e as { code?: number }).code;

/** Reads the facts: discovery of each group-version, kruise's webhook configurations, who holds external.metrics.k8s.io. */
export async function controllerFacts(kc: KubeConfig, gvs: readonly string[] = groupVersions()): Promise<ControllerFacts> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const served = new Set<string>();
  for (const gv of gvs) {
    const [group, version] = gv.split('/') as [string, string];
    // A group-version the cluster does not serve is a 404; anything else (forbidden, down) is not "absent".
    const list = await custom.getAPIResources({ group, version }).catch((e: unknown) => {
      if (code(e) === 404) return undefined;
      throw new UserError(`cannot read the API group ${gv} on the existing cluster: ${(e as Error).message}`, 'check the kubeconfig\'s credentials (discovery is open to every authenticated user by default)');
    });
    for (const r of list?.resources ?? []) if (!r.name.includes('/')) served.add(`${gv}/${r.name}`);
  }
  const adm = kc.makeApiClient(AdmissionregistrationV1Api);
  const bundle = (hooks: { clientConfig: { caBundle?: string } }[] | undefined) => ({ caBundle: (hooks ?? []).length > 0 && (hooks ?? []).every((h) => !!h.clientConfig.caBundle) });
  const absent = (e: unknown) => {
    if (code(e) === 404) return undefined;
    throw new UserError(`cannot read kruise's webhook configurations or the external metrics APIService on the existing cluster: ${(e as Error).message}`, 'a run of an OpenKruise kind or a ScaledObject needs get on mutatingwebhookconfigurations, validatingwebhookconfigurations and apiservices; ask the cluster admin, or use a kubeconfig that has them');
  };
  const webhooks: ControllerFacts['webhooks'] = {
    [KRUISE_WEBHOOKS[0]]: await adm.readMutatingWebhookConfiguration({ name: KRUISE_WEBHOOKS[0] }).then((w) => bundle(w.webhooks), absent),
    [KRUISE_WEBHOOKS[1]]: await adm.readValidatingWebhookConfiguration({ name: KRUISE_WEBHOOKS[1] }).then((w) => bundle(w.webhooks), absent),
  };
  const ext = await kc.makeApiClient(ApiregistrationV1Api).readAPIService({ name: EXTERNAL_METRICS_APISERVICE }).catch(absent);
  return { served, webhooks, externalMetrics: externalMetricsOwner(ext) };
}

/**
 * Why a dry-run create of a kruise object failed, as the user should read it: the API server could
 * not call kruise's webhook (its manager is down or unreachable from the API server) is a refusal
 * naming the fix; any other error is the object's own (returned as it is, the create would fail the same way).
 */
export function webhookFailure(kind: string, message: string): UserError | undefined {
  if (!/failed calling webhook|conversion webhook|connection refused|no endpoints available|context deadline exceeded/i.test(message)) return undefined;
  const hook = /failed calling webhook "([^"]+)"/.exec(message)?.[1];
  return new UserError(
    `the cluster's OpenKruise did not answer for the ${kind}${hook ? ` (webhook ${hook})` : ''}: ${message.split('\n')[0]!.slice(0, 300)}`,
    'its manager is registered but not running or not reachable from the API server: kubectl -n kruise-system get pods and its logs; or replay with --backend local or kind',
  );
}

/**
 * Asks the cluster's kruise to admit `obj` without storing it (server-side dry run, in the run's
 * namespace): the mutating and validating webhooks and, for a WorkloadSpread's v1alpha1, the
 * conversion webhook are called as for the real create, so a manager that is registered but gone
 * is found before any pod exists.
 */
export async function webhooksAnswer(kc: KubeConfig, obj: KubernetesObject): Promise<void> {
  await KubernetesObjectApi.makeApiClient(kc).create(obj, undefined, 'All').catch((e: unknown) => {
    const message = (e as { body?: unknown }).body ? String((e as { body?: unknown }).body) : (e as Error).message;
    throw webhookFailure(obj.kind ?? 'object', message) ?? new UserError(`the cluster refused the ${obj.kind} ${obj.metadata?.name} (dry run): ${message.slice(0, 500)}`, 'fix the object in the manifests, or check the cluster\'s OpenKruise version (kubectl -n kruise-system get deploy -o wide)');
  });
}
