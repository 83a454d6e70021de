import { redactMessage } from './redact.ts';

/**
 * Turning an SLS answer into metric values, pure. Anything doubtful is an error with a code, never
 * a value: a false low number would make the HPA scale a chat backend in at its peak.
 */
export class QueryFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/**
 * SLS codes (and our own) worth another try within the same interval. Our own non-retriable ones:
 * CredentialsInvalid (the credentials file went bad after startup), StsError (AssumeRoleWithOIDC
 * failed), EmptyResult, MissingColumn, InvalidValue.
 */
export const RETRIABLE = new Set(['ServerBusy', 'InternalServerError', 'RequestTimeout', 'ReadQuotaExceed', 'Incomplete', 'BadGateway', 'BadResponse', 'NetworkError', 'Timeout']);

/** The GetLogs error codes the service documents (by HTTP status: 400, 401, 403, 404, 5xx). */
export const SLS_ERROR_CODES = [
  'RequestTimeExpired', 'ParameterInvalid',
  'SignatureNotMatch', 'Unauthorized', 'InvalidAccessKeyId',
  'ReadQuotaExceed', 'ProjectForbidden',
  'ProjectNotExist', 'LogStoreNotExist',
  'InternalServerError', 'RequestTimeout', 'ServerBusy',
] as const;

/** The codes this exporter gives failures the service does not name (value.ts, sls-client.ts). */
export const OWN_ERROR_CODES = ['Incomplete', 'BadGateway', 'BadResponse', 'NetworkError', 'Timeout', 'EmptyResult', 'MissingColumn', 'InvalidValue', 'CredentialsInvalid', 'StsError', 'Unknown'] as const;

/**
 * Every code a failure can carry that is known in advance. The error counter starts each at 0, so
 * `rate()` and `increase()` see the first failure of a code instead of a series that appears
 * already at 1 (which they read as no increase). A code the service invents later is still
 * counted, from its first occurrence.
 */
export const ERROR_CODES: readonly string[] = [...SLS_ERROR_CODES, ...OWN_ERROR_CODES];

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/**
 * httpx (under @alicloud/log) appends `GET <url> failed.` to Node's error message with no
 * separator ("connect ECONNREFUSED 127.0.0.1:18095GET http://…"); this puts one back.
 */
export function sdkErrorMessage(message: string): string {
  return message.replace(/(?<=\S)((?:GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS) [a-z][a-z0-9+.-]*:\/\/\S* failed\.)$/, '; $1');
}

/** An SDK or SLS error as a code and a message that may be logged (key ids masked, secrets removed). */
export function classifyError(e: unknown): QueryFailure {
  if (e instanceof QueryFailure) return e;
  const err = e as { code?: unknown; name?: string; message?: string };
  const msg = redactMessage(sdkErrorMessage(err?.message ?? String(e)));
  // Node's network codes (ECONNRESET) first: they are upper case like no SLS code.
  if (typeof err?.code === 'string' && /^E[A-Z_]+$/.test(err.code)) return new QueryFailure('NetworkError', `${err.code}: ${msg}`, true);
  if (typeof err?.code === 'string' && /^[A-Z][a-z][A-Za-z]+$/.test(err.code)) return new QueryFailure(err.code, msg, RETRIABLE.has(err.code));
  if (err?.name === 'RequestTimeoutError' || /ReadTimeout|ConnectTimeout/.test(msg)) return new QueryFailure('Timeout', msg, true);
  if (e instanceof SyntaxError) return new QueryFailure('BadResponse', `response is not valid JSON: ${msg}`, true);
  if (/socket hang up|ECONNRESET|ECONNREFUSED/.test(msg)) return new QueryFailure('NetworkError', msg, true);
  return new QueryFailure('Unknown', msg, false);
}

export function parseRows(body: unknown, progress: string | undefined, valueColumn: string, labelColumns: string[]): Sample[] {
  if (typeof body === 'string') {
    const looksHtml = /^\s*</.test(body);
    throw new QueryFailure(looksHtml ? 'BadGateway' : 'BadResponse', `expected a JSON array, got ${looksHtml ? 'an HTML page' : 'text'}: ${body.slice(0, 80)}`, true);
  }
  // No header is not "Complete": an SDK or proxy that drops it would let partial, lower counts through.
  if (progress !== 'Complete') throw new QueryFailure('Incomplete', progress === undefined ? 'the response has no x-log-progress header: completeness unknown, treated as partial' : `x-log-progress is ${progress}: the result is partial`, true);
  if (!Array.isArray(body)) throw new QueryFailure('BadResponse', `expected a JSON array of rows, got ${typeof body}`, true);
  if (body.length === 0) throw new QueryFailure('EmptyResult', 'the query returned no rows', false);
  return body.map((row: unknown, i) => {
    if (typeof row !== 'object' || row === null) throw new QueryFailure('BadResponse', `row ${i} is not an object`, true);
    const r = row as Record<string, unknown>;
    const raw = r[valueColumn];
    if (raw === undefined) throw new QueryFailure('MissingColumn', `row ${i} has no column ${valueColumn} (columns: ${Object.keys(r).filter((k) => !k.startsWith('__')).join(', ')})`, false);
    // SLS sends numbers as strings; anything that is not a plain finite non-negative decimal is refused.
    const s = typeof raw === 'number' ? String(raw) : raw;
    if (typeof s !== 'string' || !/^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(s) || !Number.isFinite(Number(s))) {
      throw new QueryFailure('InvalidValue', `row ${i} column ${valueColumn} is ${JSON.stringify(raw)}, not a finite non-negative number`, false);
    }
    const labels: Record<string, string> = {};
    for (const l of labelColumns) {
      const v = r[l];
      if (v === undefined || v === null) throw new QueryFailure('MissingColumn', `row ${i} has no label column ${l}`, false);
      labels[l] = String(v);
    }
    return { labels, value: Number(s) };
  });
}
