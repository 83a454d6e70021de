import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { applyCrds } from '../local/raw-api.ts';

export const CRD_FILE = fileURLToPath(new URL('./crd.yaml', import.meta.url));
export const CRD_NAME = 'elasticworkloads.autoscaling.alibabacloud.com';

export function readCrd(): Record<string, unknown> {
  return YAML.parse(readFileSync(CRD_FILE, 'utf8')) as Record<string, unknown>;
}

/**
 * Server-side apply of a CRD as raw YAML (the typed client's serializer would drop `x-kubernetes-*`
 * extensions), Established before this returns.
 */
export async function applyCrd(kc: KubeConfig, crd: Record<string, unknown>): Promise<void> {
  await applyCrds(kc, [crd as { metadata: { name: string } }]);
}

/** Create or update the ElasticWorkload CRD and wait until the API server serves it. */
export async function installCrd(kc: KubeConfig): Promise<void> {
  await applyCrd(kc, readCrd());
}
