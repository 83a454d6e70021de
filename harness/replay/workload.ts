import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/index.ts';
import { TEMPLATE_OF_ANNOTATION } from '../../kinds/placement/uniteddeployment/index.ts';
import { NAMESPACE, type ReplayPlan } from './plan.ts';

/**
 * The business workload as every backend applies it: its namespace (unless the manifests' own is
 * `default`), Deployment, Service, placement object (ElasticWorkload, UnitedDeployment) and HPA. `rewrite` changes the Deployment for a
 * backend whose pods really start (a loadable image).
 */
export async function applyWorkload(cluster: { kubeConfig: KubeConfig }, plan: ReplayPlan, rewrite?: (deployment: KubeObject) => KubeObject): Promise<void> {
  const objs = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  // The manifests' own namespace; objects are applied without the rest of the team's cluster setup.
  const ns: KubeObject[] = plan.namespace === NAMESPACE ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plan.namespace } }];
  // A workload discovery made from a placement's template (a UnitedDeployment's) is the placement's to create.
  const business = plan.manifests.businessDeployment.metadata.annotations?.[TEMPLATE_OF_ANNOTATION] ? undefined : plan.manifests.businessDeployment;
  const deployment = business && rewrite ? rewrite(business) : business;
  const workload = [...ns, deployment, plan.manifests.businessService, plan.ew, plan.hpa].filter((x): x is KubeObject => x !== undefined);
  for (const obj of workload) {
    await objs.create(obj as KubernetesObject).catch((e: unknown) => {
      // A backend that deploys pods may have made the namespace already.
      if (obj.kind === 'Namespace' && (e as { code?: number }).code === 409) return;
      throw new Error(`applying ${obj.kind} ${obj.metadata.name}: ${(e as { body?: string }).body ?? String(e)}`);
    });
  }
}
