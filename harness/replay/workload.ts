import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/index.ts';
import { NAMESPACE, type ReplayPlan } from './plan.ts';

/**
 * The business workload as every backend applies it: its namespace (unless the manifests' own is
 * `default`), Deployment, Service, ElasticWorkload, HPA and a CronHPA beside it (its jobs are
 * submitted from the clock's now: the first window's start, held during the warm-up). `rewrite` changes the Deployment for a
 * backend whose pods really start (a loadable image).
 */
export async function applyWorkload(cluster: { kubeConfig: KubeConfig }, plan: ReplayPlan, rewrite?: (deployment: KubeObject) => KubeObject): Promise<void> {
  const objs = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  // The manifests' own namespace; objects are applied without the rest of the team's cluster setup.
  const ns: KubeObject[] = plan.namespace === NAMESPACE ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plan.namespace } }];
  const deployment = rewrite ? rewrite(plan.manifests.businessDeployment) : plan.manifests.businessDeployment;
  const workload = [...ns, deployment, plan.manifests.businessService, plan.ew, plan.hpa, scheduleIn(plan)].filter((x): x is KubeObject => x !== undefined);
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
