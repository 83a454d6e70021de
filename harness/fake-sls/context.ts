import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** Reads the body up to a limit; past it, PostBodyTooLarge (413) and the rest is discarded. */
export function readBody(req: IncomingMessage, limit = 32 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        chunks.length = 0;
        reject(new SlsError('PostBodyTooLarge', `body larger than ${limit} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON body, or PostBodyInvalid naming what is wrong with it. */
export function parseJsonBody(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new SlsError('PostBodyInvalid', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
