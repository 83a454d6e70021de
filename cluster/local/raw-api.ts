import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

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
