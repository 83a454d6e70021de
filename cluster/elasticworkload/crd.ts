import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';

export const CRD_FILE = fileURLToPath(new URL('./crd.yaml', import.meta.url));
export const CRD_NAME = 'elasticworkloads.autoscaling.alibabacloud.com';

export function readCrd(): Record<string, unknown> {
  return YAML.parse(readFileSync(CRD_FILE, 'utf8')) as Record<string, unknown>;
}

async function send(kc: KubeConfig, method: string, path: string, body?: object, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const data = body ? Buffer.from(JSON.stringify(body)) : undefined;
  const opts: RequestOptions = { host: server.hostname, port: server.port, path, method, headers: { accept: 'application/json', ...(data ? { 'content-type': contentType, 'content-length': data.length } : {}) } };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = { message: text };
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

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
