import { createHash, timingSafeEqual } from 'node:crypto';
import { SlsError } from './errors.ts';
import type { SlsRequest, SlsState } from './context.ts';
import { canonicalString, parseAuthorization, sign } from './signature.ts';

const SKEW_SECONDS = 15 * 60;

/**
 * Checks a signed request the way SLS does, in its order: key known (else Unauthorized
 * "AccessKeyId not found", as the Go SDK's tests against the real service expect), Date present and
 * within 15 minutes, Content-MD5 matching the body, signature, then the STS token.
 */
export function authenticate(s: SlsState, r: SlsRequest, body: Buffer): void {
  const h = r.req.headers;
  const auth = parseAuthorization(h.authorization);
  if (!auth) throw new SlsError('Unauthorized', 'authorization header is missing or malformed (want "LOG <AccessKeyId>:<signature>")');
  const cred = s.credentials.find((c) => c.accessKeyId === auth.accessKeyId);
  if (!cred) throw new SlsError('Unauthorized', `AccessKeyId not found: ${auth.accessKeyId}`);
  if (h.date === undefined) throw new SlsError('MissingDate', 'the Date header is required');
  const date = Date.parse(h.date);
  if (!Number.isFinite(date)) throw new SlsError('InvalidDateFormat', `Date "${h.date}" is not an RFC 1123 date`);
  if (Math.abs(s.wallNow() - date) / 1000 > SKEW_SECONDS) throw new SlsError('RequestTimeExpired', `request time ${h.date} differs from server time by more than 15 minutes`);
  const md5 = h['content-md5'] === undefined ? undefined : String(h['content-md5']);
  if (body.length && md5 !== undefined && createHash('md5').update(body).digest('hex').toUpperCase() !== md5.toUpperCase()) {
    throw new SlsError('SignatureNotMatch', 'Content-MD5 does not match the body');
  }
  const input = { verb: r.method, path: r.path, query: r.query, headers: h };
  const a = Buffer.from(sign(input, cred.accessKeyId, cred.accessKeySecret));
  const b = Buffer.from(`LOG ${auth.accessKeyId}:${auth.signature}`);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    s.logger?.debug({ canonical: canonicalString(input) }, 'signature mismatch');
    throw new SlsError('SignatureNotMatch', 'signature does not match: the server computed its string to sign over the method, Content-MD5, Content-Type, Date, x-log-*/x-acs-* headers and the path with sorted parameters');
  }
  if (cred.securityToken !== undefined && h['x-acs-security-token'] !== cred.securityToken) throw new SlsError('Unauthorized', 'the security token is invalid or expired');
}
