import type { KubeConfig } from '@kubernetes/client-node';
import { rawApi } from '../../cluster/local/raw-api.ts';

/** GET a raw API path (e.g. the custom metrics API) as JSON; undefined unless 200. */
export async function getRaw<T>(kc: KubeConfig, path: string, timeoutMs = 5000): Promise<T | undefined> {
  const r = await rawApi(kc, 'GET', path, undefined, undefined, timeoutMs);
  return r.status === 200 ? (r.json as T) : undefined;
}
