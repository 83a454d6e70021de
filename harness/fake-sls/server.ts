import type { Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { EventStore, type StoredEvent } from './store.ts';
import { FaultInjector, SLS_ERRORS, type Fault, type SlsErrorCode } from './faults.ts';
import { curveRows, execute, parseQuery, QueryError, type Row } from './query.ts';
import { canonicalString, parseAuthorization, sign } from './signature.ts';

/**
 * A fake Alibaba Cloud Log Service that speaks the wire protocol @alicloud/log speaks: project by
 * Host, HMAC-SHA1 signatures, GetLogs/GetLogsV2 with SLS's headers, PutLogs (protobuf) and
 * WebTracking ingestion, SLS error bodies and statuses, plus curve mode and fault injection.
 */

export interface Credential {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests with this key must carry it in x-acs-security-token (STS). */
  securityToken?: string;
}

export const DEFAULT_CREDENTIALS: Credential[] = [{ accessKeyId: 'ebbflow-test-ak', accessKeySecret: 'ebbflow-test-secret' }];
export const DEFAULT_PROJECTS: Record<string, string[]> = { 'chat-prod': ['device-heartbeat'] };

export interface FakeSlsOptions {
  host?: string;
  port?: number;
  credentials?: Credential[];
  /** Known projects and their logstores; requests elsewhere get ProjectNotExist / LogStoreNotExist. */
  projects?: Record<string, string[]>;
  /** Curve mode: aggregate queries answer curve(now()). */
  curve?: (virtualMs: number) => number;
  /** Virtual epoch ms (the replay's clock); default Date.now. */
  now?: () => number;
  /** Real time, for the 15-minute clock-skew check; default Date.now. */
  wallNow?: () => number;
  maxEvents?: number;
  retentionSeconds?: number;
  logger?: Logger;
}

export interface FakeSls {
  url: string;
  port: number;
  /** `localhost:<port>`: what an SDK takes as endpoint (projects become `<project>.localhost`). */
  endpoint: string;
  faults: FaultInjector;
  store: EventStore;
  setCurve(curve: ((virtualMs: number) => number) | undefined): void;
  credentials: Credential[];
  stop(): Promise<void>;
  stats(): { queries: number; byLogstore: Record<string, number>; ingested: number };
}

class SlsError extends Error {
  constructor(
    readonly code: SlsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const SKEW_SECONDS = 15 * 60;

let logGroupType: { decode(b: Uint8Array): unknown; toObject(m: unknown, o: object): unknown } | undefined;
function decodeLogGroup(body: Buffer): { Logs?: { Time: number; Contents?: { Key: string; Value: string }[] }[]; Topic?: string; Source?: string } {
  if (!logGroupType) {
    // The SDK's own sls.proto, so both sides agree on the wire format by construction.
    const require = createRequire(import.meta.url);
    const protobuf = require('protobufjs') as { loadSync(p: string): { lookupType(n: string): typeof logGroupType } };
    const root = dirname(require.resolve('@alicloud/log/package.json'));
    const proto = [join(root, 'lib', 'sls.proto'), join(root, 'sls.proto')].find((f) => existsSync(f))!;
    logGroupType = protobuf.loadSync(proto).lookupType('sls.LogGroup');
  }
  return logGroupType!.toObject(logGroupType!.decode(body), { longs: Number }) as ReturnType<typeof decodeLogGroup>;
}

function readBody(req: IncomingMessage, limit = 32 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) reject(new SlsError('ParameterInvalid', `body larger than ${limit} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFakeSls(o: FakeSlsOptions = {}): Promise<FakeSls> {
  const host = o.host ?? '127.0.0.1';
  const credentials = o.credentials ?? DEFAULT_CREDENTIALS;
  const projects = o.projects ?? DEFAULT_PROJECTS;
  const now = o.now ?? Date.now;
  const wallNow = o.wallNow ?? Date.now;
  let curve = o.curve;
  const store = new EventStore(o.maxEvents, o.retentionSeconds);
  const faults = new FaultInjector();
  const stats = { queries: 0, byLogstore: {} as Record<string, number>, ingested: 0 };
  const sockets = new Set<Socket>();

  const requestId = () => randomBytes(12).toString('hex').toUpperCase();

  function authenticate(req: IncomingMessage, path: string, query: Record<string, string>, body: Buffer): void {
    const h = req.headers;
    const auth = parseAuthorization(h.authorization);
    if (!auth) throw new SlsError('Unauthorized', 'authorization header is missing or malformed');
    const cred = credentials.find((c) => c.accessKeyId === auth.accessKeyId);
    if (!cred) throw new SlsError('InvalidAccessKeyId', `AccessKeyId ${auth.accessKeyId} does not exist`);
    const date = Date.parse(String(h.date ?? ''));
    if (!Number.isFinite(date)) throw new SlsError('RequestTimeExpired', 'date header is missing or invalid');
    if (Math.abs(wallNow() - date) / 1000 > SKEW_SECONDS) throw new SlsError('RequestTimeExpired', `request time ${h.date} differs from server time by more than 15 minutes`);
    if (body.length && h['content-md5'] && createHash('md5').update(body).digest('hex').toUpperCase() !== String(h['content-md5']).toUpperCase()) {
      throw new SlsError('SignatureNotMatch', 'content-md5 does not match the body');
    }
    const expected = sign({ verb: req.method ?? 'GET', path, query, headers: h }, cred.accessKeyId, cred.accessKeySecret);
    const a = Buffer.from(expected);
    const b = Buffer.from(`LOG ${auth.accessKeyId}:${auth.signature}`);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      o.logger?.debug({ canonical: canonicalString({ verb: req.method ?? 'GET', path, query, headers: h }) }, 'signature mismatch');
      throw new SlsError('SignatureNotMatch', 'signature does not match');
    }
    if (cred.securityToken !== undefined && h['x-acs-security-token'] !== cred.securityToken) throw new SlsError('Unauthorized', 'the security token is invalid or expired');
  }

  function projectOf(req: IncomingMessage): string | undefined {
    const hostHeader = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const dot = hostHeader.indexOf('.');
    if (dot <= 0 || /^\d+\.\d+\.\d+\.\d+$/.test(hostHeader)) return undefined;
    return hostHeader.slice(0, dot);
  }

  function checkTarget(project: string | undefined, logstore: string): string {
    if (!project) throw new SlsError('ProjectNotExist', 'no project in the Host header (use <project>.<endpoint>)');
    const stores = projects[project];
    if (!stores) throw new SlsError('ProjectNotExist', `Project ${project} does not exist`);
    if (!stores.includes(logstore)) throw new SlsError('LogStoreNotExist', `logstore ${logstore} does not exist`);
    return project;
  }

  function runQuery(project: string, logstore: string, q: { from: number; to: number; query: string; line?: number; offset?: number }): Row[] {
    if (!Number.isFinite(q.from) || !Number.isFinite(q.to) || q.from > q.to) throw new SlsError('ParameterInvalid', `from ${q.from} and to ${q.to} must be epoch seconds with from ≤ to`);
    let parsed;
    try {
      parsed = parseQuery(q.query || '*');
    } catch (e) {
      if (e instanceof QueryError) throw new SlsError('ParameterInvalid', e.message);
      throw e;
    }
    if (curve && parsed.select) return curveRows(parsed, curve(now()));
    const rows = execute(parsed, store.window(project, logstore, q.from, q.to));
    if (!parsed.select) return rows.slice(q.offset ?? 0, (q.offset ?? 0) + (q.line ?? 100));
    return rows;
  }

  async function respondRows(res: ServerResponse, rows: Row[], fault: Fault | undefined, v2: boolean, elapsedMs: number): Promise<void> {
    let progress = 'Complete';
    let out: unknown[] = rows;
    if (fault?.kind === 'incomplete') {
      progress = 'Incomplete';
      // A partial scan: what an Incomplete answer really looks like is a smaller number.
      out = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, /^\d+$/.test(v) && !k.startsWith('__') ? String(Math.floor(Number(v) / 2)) : v])));
    }
    if (fault?.kind === 'wrongType') out = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k.startsWith('__') ? v : (fault.value ?? 'abc')])));
    if (fault?.kind === 'emptyResult') out = [];
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'x-log-requestid': requestId(),
      'x-log-progress': progress,
      'x-log-count': out.length,
      'x-log-processed-rows': out.length,
      'x-log-elapsed-millisecond': Math.round(elapsedMs),
      'x-log-query-info': JSON.stringify({ mode: 0 }),
    };
    let body = v2 ? JSON.stringify({ meta: { progress, count: out.length, processedRows: out.length, elapsedMillisecond: Math.round(elapsedMs) }, data: out }) : JSON.stringify(out);
    if (fault?.kind === 'malformedJson') body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    res.writeHead(200, headers);
    if (fault?.kind === 'slowBody') {
      const half = Math.floor(body.length / 2);
      res.write(body.slice(0, half));
      await new Promise((r) => setTimeout(r, fault.ms));
      res.end(body.slice(half));
      return;
    }
    res.end(body);
  }

  function sendError(res: ServerResponse, code: SlsErrorCode, message: string): void {
    if (res.headersSent) return void res.destroy();
    res.writeHead(SLS_ERRORS[code], { 'content-type': 'application/json', 'x-log-requestid': requestId() });
    res.end(JSON.stringify({ errorCode: code, errorMessage: message }));
  }

  async function applyPreFault(req: IncomingMessage, res: ServerResponse): Promise<Fault | undefined | 'handled'> {
    const f = faults.take();
    if (!f) return undefined;
    if (f.kind === 'latency') {
      await new Promise((r) => setTimeout(r, f.ms));
      return f;
    }
    if (f.kind === 'error') {
      sendError(res, f.code, f.message ?? `injected ${f.code}`);
      return 'handled';
    }
    if (f.kind === 'html502') {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
      return 'handled';
    }
    if (f.kind === 'reset') {
      req.socket.destroy();
      return 'handled';
    }
    return f;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const t0 = performance.now();

    if (path === '/_admin/faults') {
      if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ injected: faults.injected(), pending: faults.pending() }));
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Fault | Fault[] | { clear: true };
      if ('clear' in body) faults.clear();
      else for (const f of Array.isArray(body) ? body : [body]) faults.inject(f);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pending: faults.pending() }));
    }
    if (path === '/_admin/curve' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { const?: number };
      curve = body.const === undefined ? undefined : () => body.const!;
      return void res.writeHead(200).end();
    }
    if (path === '/_admin/stats') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...stats, now: now() }));

    const m = /^\/logstores\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) throw new SlsError('ParameterInvalid', `unsupported path ${req.method} ${path}`);
    const logstore = decodeURIComponent(m[1]!);
    const rest = m[2] ?? '';
    const project = projectOf(req);

    // WebTracking: unsigned by design (browsers and devices post directly).
    if (rest === '/track' && req.method === 'POST') {
      checkTarget(project, logstore);
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { __topic__?: string; __source__?: string; __logs__?: Record<string, unknown>[] };
      if (!Array.isArray(body.__logs__)) throw new SlsError('ParameterInvalid', 'body must have a __logs__ array');
      const nowS = Math.floor(now() / 1000);
      const events: StoredEvent[] = body.__logs__.map((l) => {
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(l)) fields[k] = String(v);
        const time = fields.__time__ !== undefined ? Number(fields.__time__) : nowS;
        if (body.__topic__) fields.__topic__ = body.__topic__;
        if (body.__source__) fields.__source__ = body.__source__;
        return { time: Number.isFinite(time) ? time : nowS, fields };
      });
      store.append(project!, logstore, events, nowS);
      stats.ingested += events.length;
      return void res.writeHead(200, { 'x-log-requestid': requestId() }).end();
    }

    const body = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
    authenticate(req, path, query, body);
    checkTarget(project, logstore);

    if (rest === '/shards/lb' && req.method === 'POST') {
      if (req.headers['x-log-compresstype'] && req.headers['x-log-compresstype'] !== 'none') throw new SlsError('ParameterInvalid', `x-log-compresstype ${req.headers['x-log-compresstype']} is not supported by the fake`);
      const raw = Number(req.headers['x-log-bodyrawsize']);
      if (!Number.isFinite(raw) || raw !== body.length) throw new SlsError('ParameterInvalid', `x-log-bodyrawsize ${req.headers['x-log-bodyrawsize']} does not match the body (${body.length} bytes)`);
      let group;
      try {
        group = decodeLogGroup(body);
      } catch (e) {
        throw new SlsError('ParameterInvalid', `body is not a protobuf LogGroup: ${(e as Error).message}`);
      }
      const events: StoredEvent[] = (group.Logs ?? []).map((l) => ({
        time: Number(l.Time),
        fields: { ...Object.fromEntries((l.Contents ?? []).map((c) => [c.Key, c.Value])), ...(group.Topic ? { __topic__: group.Topic } : {}), ...(group.Source ? { __source__: group.Source } : {}) },
      }));
      store.append(project!, logstore, events, Math.floor(now() / 1000));
      stats.ingested += events.length;
      return void res.writeHead(200, { 'x-log-requestid': requestId() }).end();
    }

    const isV1 = rest === '' && req.method === 'GET';
    const isV2 = rest === '/logs' && req.method === 'POST';
    if (!isV1 && !isV2) throw new SlsError('ParameterInvalid', `unsupported request ${req.method} ${path}`);
    if (isV1 && query.type !== 'log') throw new SlsError('ParameterInvalid', `type must be "log", got "${query.type ?? ''}"`);
    stats.queries++;
    stats.byLogstore[`${project}/${logstore}`] = (stats.byLogstore[`${project}/${logstore}`] ?? 0) + 1;
    const pre = await applyPreFault(req, res);
    if (pre === 'handled') return;
    const params = isV1
      ? { from: Number(query.from), to: Number(query.to), query: query.query ?? '*', line: query.line ? Number(query.line) : undefined, offset: query.offset ? Number(query.offset) : undefined }
      : (() => {
          const b = JSON.parse(body.toString('utf8') || '{}') as { from?: number; to?: number; query?: string; line?: number; offset?: number };
          return { from: Number(b.from), to: Number(b.to), query: b.query ?? '*', line: b.line, offset: b.offset };
        })();
    const rows = runQuery(project!, logstore, params);
    await respondRows(res, rows, pre, isV2, performance.now() - t0);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof SlsError) return sendError(res, e.code, e.message);
      if (e instanceof SyntaxError) return sendError(res, 'ParameterInvalid', `body is not valid JSON: ${e.message}`);
      o.logger?.error({ err: String(e) }, 'fake SLS internal error');
      sendError(res, 'InternalServerError', String(e));
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    port,
    endpoint: `localhost:${port}`,
    faults,
    store,
    credentials,
    setCurve: (c) => void (curve = c),
    stats: () => ({ ...stats, byLogstore: { ...stats.byLogstore } }),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
