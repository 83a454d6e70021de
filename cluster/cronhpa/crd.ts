import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { rawApi } from '../local/raw-api.ts';

export const CRD_FILE = fileURLToPath(new URL('./crd.yaml', import.meta.url));
export const CRD_NAME = 'cronhorizontalpodautoscalers.autoscaling.alibabacloud.com';

export function readCrd(): Record<string, unknown> {
  return YAML.parse(readFileSync(CRD_FILE, 'utf8')) as Record<string, unknown>;
}

/**
 * Create or update the CronHPA CRD (server-side apply of raw JSON: the typed client would drop
 * schema extensions) and wait until the API server serves it.
 */
export async function installCrd(kc: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const r = await rawApi(kc, 'PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}?fieldManager=ebbflow&force=true`, readCrd(), 'application/apply-patch+yaml');
  if (r.status >= 300) throw new Error(`applying CRD ${CRD_NAME}: ${String(r.json.message ?? r.status)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cur = await rawApi(kc, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`);
    const conds = (cur.json.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${CRD_NAME} not Established after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
