import { createHmac } from 'node:crypto';

/**
 * SLS request signing (API version 0.6.0, HMAC-SHA1), pure:
 * `VERB\nContent-MD5\nContent-Type\nDate\n<sorted x-log-/x-acs- headers>` + path + `?` sorted `k=v`
 * with values not URL-encoded — exactly what @alicloud/log computes, so its requests verify here.
 */
export interface SignInput {
  verb: string;
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

export function canonicalString(i: SignInput): string {
  const h = (k: string) => {
    const v = i.headers[k];
    return Array.isArray(v) ? v.join(',') : (v ?? '');
  };
  const logHeaders = Object.keys(i.headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith('x-log-') || k.startsWith('x-acs-'))
    .sort()
    .map((k) => `${k}:${String(h(k)).trim()}\n`)
    .join('');
  const pairs = Object.entries(i.query).map(([k, v]) => `${k}=${v}`).sort();
  const resource = pairs.length ? `${i.path}?${pairs.join('&')}` : i.path;
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
