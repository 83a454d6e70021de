import { createHash, timingSafeEqual } from 'node:crypto';
import { SlsError } from './errors.ts';
import type { SlsRequest, SlsState } from './context.ts';
import { canonicalString, parseAuthorization, sign } from './signature.ts';

const SKEW_SECONDS = 15 * 60;

/**
 * Checks a signed request from its headers alone, before any of its body is read: key known (else
 * Unauthorized "AccessKeyId not found", as the Go SDK's tests against the real service expect),
 * Date present and within 15 minutes, signature (over the declared Content-MD5 among the rest),
 * then the STS token. The body is checked against that Content-MD5 once read (checkContentMd5).
 */
export function authenticate(s: SlsState, r: SlsRequest): void {
  const h = r.req.headers;
  const auth = parseAuthorization(h.authorization);
  if (!auth) throw new SlsError('Unauthorized', 'authorization header is missing or malformed (want "LOG <AccessKeyId>:<signature>")');
  const cred = s.credentials.find((c) => c.accessKeyId === auth.accessKeyId);
  if (!cred) throw new SlsError('Unauthorized', `AccessKeyId not found: ${auth.accessKeyId}`);
  if (h.date === undefined) throw new SlsError('MissingDate', 'the Date header is required');
  const date = Date.parse(h.date);
  if (!Number.isFinite(date)) throw new SlsError('InvalidDateFormat', `Date "${h.date}" is not an RFC 1123 date`);
  if (Math.abs(s.wallNow() - date) / 1000 > SKEW_SECONDS) throw new SlsError('RequestTimeExpired', `request time ${h.date} differs from server time by more than 15 minutes`);
  const input = { verb: r.method, path: r.path, query: r.query, headers: h };
  const a = Buffer.from(sign(input, cred.accessKeyId, cred.accessKeySecret));
  const b = Buffer.from(`LOG ${auth.accessKeyId}:${auth.signature}`);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    s.logger?.debug({ canonical: canonicalString(input) }, 'signature mismatch');
    throw new SlsError('SignatureNotMatch', 'signature does not match: the server computed its string to sign over the method, Content-MD5, Content-Type, Date, x-log-*/x-acs-* headers and the path with sorted parameters');
  }
  if (cred.securityToken !== undefined && h['x-acs-security-token'] !== cred.securityToken) throw new SlsError('Unauthorized', 'the security token is invalid or expired');
}

/** The body against the Content-MD5 the signature covered. */
export function checkContentMd5(r: SlsRequest, body: Buffer): void {
  const md5 = r.req.headers['content-md5'];
  if (body.length && md5 !== undefined && createHash('md5').update(body).digest('hex').toUpperCase() !== String(md5).toUpperCase()) {
    throw new SlsError('SignatureNotMatch', 'Content-MD5 does not match the body');
  }
}
