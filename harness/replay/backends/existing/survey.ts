import { ApiextensionsV1Api, ApiregistrationV1Api, CoreV1Api, type KubeConfig, type V1APIService } from '@kubernetes/client-node';
import { adapterChoice, CUSTOM_METRICS_APISERVICES, EW_CRD, SERVICEMONITOR_CRD, type AdapterChoice } from '../../../../cluster/existing/check.ts';
import { EXTERNAL_METRICS_APISERVICE, externalMetricsOwner, type ExternalMetricsOwner } from '../../../../cluster/existing/external-metrics.ts';
import type { OwnedNamespaceComponent } from '../../../../cluster/existing/namespace.ts';
import { UserError } from '../../../../core/errors.ts';

/** What the cluster already has: who serves custom and external metrics, and which CRDs exist. */
export async function survey(kc: KubeConfig): Promise<{ adapter: AdapterChoice; externalMetrics: ExternalMetricsOwner; serviceMonitorCrd: boolean; ewCrd: boolean; virtualNode?: string }> {
  const reg = kc.makeApiClient(ApiregistrationV1Api);
  // Only "not found" means absent: an APIService we may not read could be the cluster's, and must not be replaced.
  const absent = (what: string) => (e: unknown) => {
    if ((e as { code?: number }).code === 404) return undefined;
    throw new UserError(`cannot read ${what} on the existing cluster: ${(e as Error).message}`, 'the run needs get on apiservices and customresourcedefinitions; `ebbflow cluster up --backend existing` lists what is missing');
  };
  const apiServices = (await Promise.all(CUSTOM_METRICS_APISERVICES.map((name) => reg.readAPIService({ name }).catch(absent(`APIService ${name}`))))).filter((a): a is V1APIService => a !== undefined);
  const externalMetrics = externalMetricsOwner(await reg.readAPIService({ name: EXTERNAL_METRICS_APISERVICE }).catch(absent(`APIService ${EXTERNAL_METRICS_APISERVICE}`)));
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const crd = (name: string) => ext.readCustomResourceDefinition({ name }).then(() => true, (e: unknown) => absent(`CustomResourceDefinition ${name}`)(e) ?? false);
  // An ACK virtual node is labelled type=virtual-kubelet; the recorder tells ECI pods by it.
  const vk = await kc.makeApiClient(CoreV1Api).listNode({ labelSelector: 'type=virtual-kubelet' }).catch(() => undefined);
  const virtualNode = vk?.items[0]?.metadata?.name;
  return { adapter: adapterChoice(apiServices), externalMetrics, serviceMonitorCrd: await crd(SERVICEMONITOR_CRD), ewCrd: await crd(EW_CRD), ...(virtualNode ? { virtualNode } : {}) };
}

/** A cluster-scoped object the run just created: marked with the run id and handed to the namespace to remove at the end. */
export async function annotateAndRegister(kc: KubeConfig, ns: OwnedNamespaceComponent, apiVersion: string, kind: string, name: string): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const crd = await ext.readCustomResourceDefinition({ name });
  crd.metadata = { ...crd.metadata, annotations: { ...crd.metadata?.annotations, ...ns.annotations } };
  await ext.replaceCustomResourceDefinition({ name, body: crd });
  ns.register({ apiVersion, kind, metadata: { name } });
}
