import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { SLS_ERRORS, type SlsErrorCode } from './faults.ts';

/** A client-visible SLS error: its code decides the HTTP status (SLS_ERRORS). */
export class SlsError extends Error {
  constructor(
    readonly code: SlsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** SLS request ids are 24 upper-case hex digits. */
export const requestId = (): string => randomBytes(12).toString('hex').toUpperCase();

/**
 * `{errorCode, errorMessage}` with the code's status; a response already under way is cut instead.
 * A refused request whose body was not read (unauthenticated, too large) is answered with
 * `Connection: close`: the server closes the socket after the answer instead of reading the rest.
 */
export function sendError(res: ServerResponse, code: SlsErrorCode, message: string): void {
  if (res.headersSent) return void res.destroy();
  const unread = res.req !== undefined && !res.req.complete;
  res.writeHead(SLS_ERRORS[code], { 'content-type': 'application/json', 'x-log-requestid': requestId(), ...(unread ? { connection: 'close' } : {}) });
  res.end(JSON.stringify({ errorCode: code, errorMessage: message }));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-log-requestid': requestId(), ...headers });
  res.end(JSON.stringify(body));
}
