import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import YAML from 'yaml';

export const CRD_FILE = fileURLToPath(new URL('./crd.yaml', import.meta.url));
export const CRD_NAME = 'elasticworkloads.autoscaling.alibabacloud.com';

export function readCrd(): V1CustomResourceDefinition {
  return YAML.parse(readFileSync(CRD_FILE, 'utf8')) as V1CustomResourceDefinition;
}

/** Create or update the ElasticWorkload CRD and wait until the API server serves it. */
export async function installCrd(kc: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const crd = readCrd();
  try {
    const cur = await api.readCustomResourceDefinition({ name: CRD_NAME });
    await api.replaceCustomResourceDefinition({ name: CRD_NAME, body: { ...crd, metadata: { ...crd.metadata, resourceVersion: cur.metadata?.resourceVersion } } });
  } catch (e) {
    if ((e as { code?: number }).code !== 404) throw e;
    await api.createCustomResourceDefinition({ body: crd });
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cur = await api.readCustomResourceDefinition({ name: CRD_NAME });
    if (cur.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${CRD_NAME} not Established after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
