import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { rawApi } from '../local/raw-api.ts';

export const CRD_FILE = fileURLToPath(new URL('./crd.yaml', import.meta.url));
export const CRD_NAME = 'elasticworkloads.autoscaling.alibabacloud.com';

export function readCrd(): Record<string, unknown> {
  return YAML.parse(readFileSync(CRD_FILE, 'utf8')) as Record<string, unknown>;
}

const send = rawApi;

/**
 * Server-side apply of a CRD as raw JSON. Not through the typed client: its serializer maps known
 * properties only and silently drops `x-kubernetes-*` extensions (preserve-unknown-fields,
 * int-or-string), which changes the schema.
 */
export async function applyCrd(kc: KubeConfig, crd: Record<string, unknown>, timeoutMs = 30_000): Promise<void> {
  const name = (crd.metadata as { name: string }).name;
  const r = await send(kc, 'PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}?fieldManager=ebbflow&force=true`, crd, 'application/apply-patch+yaml');
  if (r.status >= 300) throw new Error(`applying CRD ${name}: ${String(r.json.message ?? r.status)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cur = await send(kc, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const conds = ((cur.json.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Create or update the ElasticWorkload CRD and wait until the API server serves it. */
export async function installCrd(kc: KubeConfig, timeoutMs = 30_000): Promise<void> {
  await applyCrd(kc, readCrd(), timeoutMs);
}
