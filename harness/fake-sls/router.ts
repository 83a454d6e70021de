import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdmin } from './admin.ts';
import { getLogsOrHistograms, getLogsV2, listLogStores } from './api-query.ts';
import { putLogs, webTrackingGet, webTrackingPost } from './api-ingest.ts';
import { authenticate, checkContentMd5 } from './auth.ts';
import { checkDeclaredLength, nullProto, projectOf, readBody, type SlsRequest, type SlsState } from './context.ts';
import { sendError, SlsError } from './errors.ts';

/** Method + path → handler, with whether SLS requires a signature there (WebTracking does not). */
interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  signed: boolean;
  run: (s: SlsState, r: SlsRequest, body: Buffer) => Promise<void> | void;
}

const ROUTES: Route[] = [
  { method: 'GET', path: /^\/logstores\/?$/, signed: true, run: listLogStores },
  { method: 'GET', path: /^\/logstores\/([^/]+)$/, signed: true, run: getLogsOrHistograms },
  { method: 'POST', path: /^\/logstores\/([^/]+)\/logs$/, signed: true, run: getLogsV2 },
  // PutLogs: load-balanced, hashed by key, and the Go SDK's plain logstore path.
  { method: 'POST', path: /^\/logstores\/([^/]+)(?:\/shards\/(?:lb|route))?$/, signed: true, run: putLogs },
  { method: 'POST', path: /^\/logstores\/([^/]+)\/track$/, signed: false, run: webTrackingPost },
  { method: 'GET', path: /^\/logstores\/([^/]+)\/track$/, signed: false, run: (s, r) => webTrackingGet(s, r, false) },
  { method: 'GET', path: /^\/logstores\/([^/]+)\/track_ua\.gif$/, signed: false, run: (s, r) => webTrackingGet(s, r, true) },
];

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new SlsError('ParameterInvalid', `"${part}" is not a valid percent-encoded name`);
  }
}

function parseRequest(req: IncomingMessage, res: ServerResponse): SlsRequest {
  const raw = originForm(req.url ?? '/');
  const q = raw.indexOf('?');
  const query = nullProto();
  for (const [k, v] of new URLSearchParams(q < 0 ? '' : raw.slice(q + 1))) query[k] = v;
  return { req, res, method: req.method ?? 'GET', path: q < 0 ? raw : raw.slice(0, q), query, project: projectOf(req), logstore: undefined, t0: performance.now() };
}

/**
 * A request sent to the fake as an HTTP proxy (`HTTP_PROXY`, how a replay reaches a team's exporter
 * without resolving `<project>.localhost`) names the absolute URL (`GET http://p.localhost:1/x`);
 * HTTP/1.1 servers must accept that form. The project still comes from the Host header.
 */
export function originForm(url: string): string {
  const m = /^https?:\/\/[^/?#]*(.*)$/i.exec(url);
  if (!m) return url;
  return m[1]!.startsWith('/') ? m[1]! : `/${m[1]}`;
}

async function dispatch(s: SlsState, r: SlsRequest): Promise<void> {
  const matching = ROUTES.filter((rt) => rt.path.test(r.path));
  const route = matching.find((rt) => rt.method === r.method);
  if (!route) {
    const allowed = matching.map((rt) => rt.method).join(', ');
    throw new SlsError('ParameterInvalid', `unsupported request ${r.method} ${r.path}${allowed ? ` (this path takes ${allowed})` : ''}`);
  }
  const m = route.path.exec(r.path)!;
  r.logstore = m[1] === undefined ? undefined : decode(m[1]);
  // Who is asking before what they send: an unauthenticated or oversized body is never read.
  if (r.method === 'POST') checkDeclaredLength(r.req);
  if (route.signed) authenticate(s, r);
  const body = r.method === 'POST' ? await readBody(r.req) : Buffer.alloc(0);
  if (route.signed) checkContentMd5(r, body);
  await route.run(s, r, body);
}

/** The request listener: admin endpoints, else SLS routes; every client error is a 4xx SLS error. */
export function createHandler(s: SlsState, opts: { allowRemoteAdmin: boolean }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let r: SlsRequest;
    const fail = (e: unknown) => {
      if (e instanceof SlsError) return sendError(res, e.code, e.message);
      s.logger?.error({ err: e instanceof Error ? e.stack : String(e), url: req.url }, 'fake SLS internal error');
      sendError(res, 'InternalServerError', 'internal error in the fake SLS (see its log)');
    };
    try {
      r = parseRequest(req, res);
    } catch (e) {
      return fail(e);
    }
    const work = r.path.startsWith('/_admin/') ? handleAdmin(s, r, opts.allowRemoteAdmin) : dispatch(s, r);
    work.catch(fail);
  };
}
