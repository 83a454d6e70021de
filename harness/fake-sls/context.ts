import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonText } from '../../core/json.ts';
import type { Logger } from 'pino';
import type { ColumnarStore } from './columnar.ts';
import type { EventStore } from './store.ts';
import type { FaultInjector } from './faults.ts';
import { SlsError } from './errors.ts';

export interface Credential {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests with this key must carry it in x-acs-security-token (STS). */
  securityToken?: string;
}

export interface SlsStats {
  queries: number;
  byLogstore: Record<string, number>;
  ingested: number;
}

/** What every handler shares: configuration, the store, faults and counters. */
export interface SlsState {
  /** Read on every request (not copied), so a test can rotate keys while the server runs. */
  credentials: Credential[];
  projects: Record<string, string[]>;
  now: () => number;
  wallNow: () => number;
  curve: ((virtualMs: number) => number) | undefined;
  /** Read a query window that ends at the wall clock's now as the same length ending at the virtual now. */
  wallQueries?: boolean;
  store: EventStore | ColumnarStore;
  faults: FaultInjector;
  stats: SlsStats;
  logger?: Logger;
}

/** One request as the handlers see it: parsed URL, project from Host, the logstore of the route. */
export interface SlsRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Raw (still percent-encoded) path, as SDKs sign it. */
  path: string;
  /** Decoded query parameters, in an object without a prototype (`__proto__` is an ordinary key). */
  query: Record<string, string>;
  project: string | undefined;
  logstore: string | undefined;
  t0: number;
}

export function nullProto(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** `<project>.<endpoint>` in Host; an IP or bare name carries no project. */
export function projectOf(req: IncomingMessage): string | undefined {
  const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
  const dot = host.indexOf('.');
  if (dot <= 0 || /^\d+\.\d+\.\d+\.\d+$/.test(host)) return undefined;
  return host.slice(0, dot);
}

export function requireProject(s: SlsState, r: SlsRequest): string {
  if (!r.project) throw new SlsError('ProjectNotExist', 'no project in the Host header (use <project>.<endpoint>)');
  if (!Object.hasOwn(s.projects, r.project)) throw new SlsError('ProjectNotExist', `Project ${r.project} does not exist`);
  return r.project;
}

/** The route's project and logstore, both known, or the SLS 404 for the one that is not. */
export function requireTarget(s: SlsState, r: SlsRequest): { project: string; logstore: string } {
  const project = requireProject(s, r);
  const logstore = r.logstore ?? '';
  if (!s.projects[project]!.includes(logstore)) throw new SlsError('LogStoreNotExist', `logstore ${logstore} does not exist`);
  return { project, logstore };
}

/** Largest request body read, compressed or not (SLS takes 5 MB per LogGroup; the SDKs send at most 10 MB). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** A body declared longer than the limit is refused before a byte of it is read. */
export function checkDeclaredLength(req: IncomingMessage, limit = MAX_BODY_BYTES): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new SlsError('PostBodyTooLarge', `content-length ${declared} is over the ${limit}-byte limit`);
}

/**
 * Reads the body up to a limit, checked by Content-Length first and while it streams (a chunked
 * body has none). Past it: PostBodyTooLarge (413), reading stops (nothing more is buffered or
 * read) and the error answer closes the connection (errors.ts sendError).
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    checkDeclaredLength(req, limit);
    const chunks: Buffer[] = [];
    let n = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (c: Buffer) => {
      n += c.length;
      if (n <= limit) return void chunks.push(c);
      stop();
      chunks.length = 0;
      req.pause();
      reject(new SlsError('PostBodyTooLarge', `body larger than ${limit} bytes`));
    };
    const onEnd = () => (stop(), resolve(Buffer.concat(chunks)));
    const onError = (e: Error) => (stop(), reject(e));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** A JSON body, or PostBodyInvalid naming where it stops being JSON (never quoting it: V8's message would). */
export function parseJsonBody(body: Buffer, what: string): unknown {
  const r = parseJsonText(body.toString('utf8'));
  if (!r.ok) throw new SlsError('PostBodyInvalid', `${what} is not valid JSON (line ${r.line}, column ${r.column})`);
  return r.value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
