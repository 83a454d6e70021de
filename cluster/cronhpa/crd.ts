import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { applyCrds } from '../local/raw-api.ts';

export const CRD_FILE = fileURLToPath(new URL('./crd.yaml', import.meta.url));
export const CRD_NAME = 'cronhorizontalpodautoscalers.autoscaling.alibabacloud.com';

export function readCrd(): Record<string, unknown> {
  return YAML.parse(readFileSync(CRD_FILE, 'utf8')) as Record<string, unknown>;
}

/** Create or update the CronHPA CRD and wait until the API server serves it. */
export async function installCrd(kc: KubeConfig): Promise<void> {
  await applyCrds(kc, [readCrd() as { metadata: { name: string } }]);
}
