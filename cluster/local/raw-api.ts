import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { waitUntil } from '../../core/wait.ts';

/**
 * A raw API request with the kubeconfig's credentials, for what the typed client cannot do: paths it
 * does not model (the custom metrics API) and bodies it would re-serialize (its model drops
 * `x-kubernetes-*` schema extensions of CRDs).
 */
export async function rawApi(kc: KubeConfig, method: string, path: string, body?: object, contentType = 'application/json', timeoutMs = 10_000): Promise<{ status: number; json: Record<string, unknown> }> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const data = body ? Buffer.from(JSON.stringify(body)) : undefined;
  const opts: RequestOptions = { host: server.hostname, port: server.port, path, method, timeout: timeoutMs, headers: { accept: 'application/json', ...(data ? { 'content-type': contentType, 'content-length': data.length } : {}) } };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = { message: text };
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Server-side apply of one object at `path` (its collection), ebbflow owning the fields it sets. */
export async function serverSideApply(kc: KubeConfig, path: string, obj: { metadata: { name: string } }): Promise<void> {
  const r = await rawApi(kc, 'PATCH', `${path}/${obj.metadata.name}?fieldManager=ebbflow&force=true`, obj, 'application/apply-patch+yaml');
  if (r.status >= 300) throw new Error(`applying ${obj.metadata.name}: ${String(r.json.message ?? r.status)}`);
}

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/**
 * CRDs applied as raw YAML (the typed client would drop their `x-kubernetes-*` extensions), each
 * Established before this returns: a controller started earlier would retry discovery for them.
 */
export async function applyCrds(kc: KubeConfig, crds: readonly { metadata: { name: string } }[]): Promise<void> {
  for (const crd of crds) await serverSideApply(kc, CRDS, crd);
  for (const crd of crds) {
    await waitUntil(`CRD ${crd.metadata.name} Established`, 30_000, async () => {
      const cur = await rawApi(kc, 'GET', `${CRDS}/${crd.metadata.name}`);
      const conds = (cur.json.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
      return conds.some((c) => c.type === 'Established' && c.status === 'True') || undefined;
    }, undefined, 100);
  }
}
