import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/index.ts';
import { TEMPLATE_OF_ANNOTATION } from '../../kinds/placement/uniteddeployment/index.ts';
import { placementKind, scalerKind } from '../../kinds/registry.ts';
import type { RunAddresses } from '../../kinds/model/scaler.ts';
import { NAMESPACE, type ReplayPlan } from './plan.ts';

/**
 * The business workload as every backend applies it: its namespace (unless the manifests' own is
 * `default`), Deployment, Service, placement object (ElasticWorkload, UnitedDeployment), HPA and a
 * CronHPA beside it (its jobs are submitted from the clock's now: the first window's start, held
 * during the warm-up). `rewrite` changes the Deployment for a
 * backend whose pods really start (a loadable image).
 */
export async function applyWorkload(cluster: { kubeConfig: KubeConfig }, plan: ReplayPlan, rewrite?: (deployment: KubeObject) => KubeObject, run: RunAddresses = {}): Promise<void> {
  const objs = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  // The manifests' own namespace; objects are applied without the rest of the team's cluster setup.
  const ns: KubeObject[] = plan.namespace === NAMESPACE ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plan.namespace } }];
  // A workload discovery made from a placement's template (a UnitedDeployment's) is the placement's to create.
  const business = plan.manifests.businessDeployment.metadata.annotations?.[TEMPLATE_OF_ANNOTATION] ? undefined : plan.manifests.businessDeployment;
  const deployment = business && rewrite ? rewrite(business) : business;
  const placement = plan.ew && rewrite ? rewriteTemplate(plan.ew, rewrite) : plan.ew;
  // A placement beside its workload (a WorkloadSpread, a ResourcePolicy) goes first: kruise's webhook and the scheduler plugin place a pod only if it exists when the pod is created.
  const first = placementKind(plan.system.placement.kind).beside !== undefined;
  // The scaler with this run's metric sources where it names its own (KEDA's triggers).
  const scaler = scalerKind(plan.system.scaler).retarget?.(plan.hpa, run) ?? plan.hpa;
  const workload = [...ns, ...(first ? [placement] : []), deployment, plan.manifests.businessService, ...(first ? [] : [placement]), scaler, scheduleIn(plan)].filter((x): x is KubeObject => x !== undefined);
  for (const obj of workload) {
    await objs.create(obj as KubernetesObject).catch((e: unknown) => {
      // A backend that deploys pods may have made the namespace already.
      if (obj.kind === 'Namespace' && (e as { code?: number }).code === 409) return;
      throw new Error(`applying ${obj.kind} ${obj.metadata.name}: ${(e as { body?: string }).body ?? String(e)}`);
    });
  }
}

/** The CronHPA in the run's namespace (a team's may leave it to kubectl's context). */
function scheduleIn(plan: ReplayPlan): KubeObject | undefined {
  const o = plan.system.schedule?.object;
  return o && { ...o, metadata: { ...o.metadata, namespace: plan.namespace } };
}

/**
 * A placement that creates the workload from its own template (a UnitedDeployment's
 * `deploymentTemplate`/`cloneSetTemplate`/…): the backend's rewrite applied to the template as it
 * would be to the Deployment. Any other placement object is returned as it is.
 */
export function rewriteTemplate(placement: KubeObject, rewrite: (deployment: KubeObject) => KubeObject): KubeObject {
  const templates = (placement.spec as { template?: Record<string, { spec?: unknown } | undefined> } | undefined)?.template;
  if (placement.kind !== 'UnitedDeployment' || !templates) return placement;
  const out = structuredClone(placement);
  const outTemplates = (out.spec as { template: Record<string, { spec?: unknown }> }).template;
  for (const [field, t] of Object.entries(templates)) {
    if (!t?.spec) continue;
    outTemplates[field]!.spec = rewrite({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: placement.metadata.name }, spec: t.spec }).spec;
  }
  return out;
}
