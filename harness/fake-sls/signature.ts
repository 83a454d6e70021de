import { createHmac } from 'node:crypto';

/**
 * SLS request signing (API version 0.6.0, HMAC-SHA1), pure:
 * `VERB\nContent-MD5\nContent-Type\nDate\n<sorted x-log-/x-acs- headers>` + path + `?` `k=v` sorted
 * by key, values not URL-encoded — what @alicloud/log, the Python SDK (aliyun/log/auth.py AuthV1)
 * and the Go SDK (signature.go SignerV1) all compute. Two headers are left out the way the service
 * leaves them out: `x-log-date` (the Python SDK adds it after signing, and the Go SDK sets it only
 * for v4 signatures) and `x-log-meta-*` (the Python SDK never signs them).
 */
export interface SignInput {
  verb: string;
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

export function isSignedHeader(name: string): boolean {
  const k = name.toLowerCase();
  if (k.startsWith('x-acs-')) return true;
  return k.startsWith('x-log-') && k !== 'x-log-date' && !k.startsWith('x-log-meta-');
}

export function canonicalString(i: SignInput): string {
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(i.headers)) if (v !== undefined) lower.set(k.toLowerCase(), Array.isArray(v) ? v.join(',') : v);
  const h = (k: string) => lower.get(k) ?? '';
  const logHeaders = [...lower.keys()]
    .filter(isSignedHeader)
    .sort()
    .map((k) => `${k}:${h(k).trim()}\n`)
    .join('');
  const keys = Object.keys(i.query).sort();
  const resource = keys.length ? `${i.path}?${keys.map((k) => `${k}=${i.query[k]}`).join('&')}` : i.path;
  return `${i.verb.toUpperCase()}\n${h('content-md5')}\n${h('content-type')}\n${h('date')}\n${logHeaders}${resource}`;
}

export function sign(i: SignInput, accessKeyId: string, accessKeySecret: string): string {
  const mac = createHmac('sha1', accessKeySecret).update(canonicalString(i)).digest('base64');
  return `LOG ${accessKeyId}:${mac}`;
}

/** `LOG <akId>:<signature>` → its parts, or undefined when the header has another shape. */
export function parseAuthorization(v: string | undefined): { accessKeyId: string; signature: string } | undefined {
  const m = /^LOG ([^:\s]+):(\S+)$/.exec(v ?? '');
  return m ? { accessKeyId: m[1]!, signature: m[2]! } : undefined;
}
