/**
 * What of a credential may reach a log line or an error message, pure: an AccessKey id shows its
 * first 4 characters, a secret or token nothing, an endpoint no `user:password@`. Applied to what
 * SLS and STS answer too: SLS echoes the key id of a refused request ("AccessKeyId not found: …"),
 * and a failed STS call quotes STS's body, which on a half-read success holds the new secret.
 */

/** Only a prefix of a key ever reaches a log line. */
export function mask(s: string): string {
  return s.length <= 4 ? '****' : `${s.slice(0, 4)}****`;
}

/** An endpoint as logged: `http://user:pass@host:80` → `http://***@host:80`. */
export function endpointForLog(endpoint: string): string {
  return endpoint.replace(/^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/?#]*@/i, (_, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

// Alibaba Cloud AccessKey ids start with LTAI, STS ones with "STS."; both are long base62 strings.
const KEY_ID = /\b(LTAI|STS\.)[A-Za-z0-9]{8,}/g;
// "AccessKeyId not found: <id>" (SLS), "AccessKeyId=<id>", "accessKeyId": "<id>", `access_key_id = <id>`.
const NAMED_ID = /((?:access[_ ]?key[_ ]?id)["']?\s*(?:not found|is (?:disabled|invalid))?\s*[:=]\s*["']?)([^\s"',;}&]+)/gi;
const NAMED_SECRET = /((?:access[_ ]?key[_ ]?secret|security[_ ]?token|sts[_ ]?token|oidc[_ ]?token)["']?\s*[:=]\s*["']?)([^\s"',;}&]+)/gi;

/** A message from SLS, STS or the SDK with key ids masked and secrets and tokens removed. */
export function redactMessage(text: string): string {
  return text
    .replace(NAMED_SECRET, (_, head: string) => `${head}***`)
    .replace(NAMED_ID, (_, head: string, id: string) => `${head}${mask(id)}`)
    .replace(KEY_ID, (id) => mask(id));
}
