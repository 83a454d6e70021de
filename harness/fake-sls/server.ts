import type { Socket } from 'node:net';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Credential, SlsState } from './context.ts';
import { ColumnarStore } from './columnar.ts';
import { EventStore } from './store.ts';
import { FaultInjector } from './faults.ts';
import { createHandler } from './router.ts';

/**
 * A fake Alibaba Cloud Log Service that speaks the wire protocol the official SDKs speak (project by
 * Host, HMAC-SHA1 signatures, GetLogs/GetLogsV2/GetHistograms/ListLogStores, PutLogs in every codec,
 * WebTracking), with SLS error bodies and statuses, curve mode and fault injection. This file only
 * assembles the state and the HTTP server; routes are in router.ts, handlers in api-*.ts.
 */

export type { Credential } from './context.ts';

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
  /**
   * Event storage: 'columnar' (default; typed arrays and dictionaries, exact distinct counts on
   * codes) or 'objects' (one object per event, the original store).
   */
  storage?: 'columnar' | 'objects';
  /**
   * For a replay with an exporter that knows nothing of the virtual clock (a team's own exporter): a
   * query window ending near the wall clock's now is read as the same length ending at the virtual now.
   */
  wallQueries?: boolean;
  /** Answer `/_admin/*` to non-loopback clients too (default: loopback only). */
  allowRemoteAdmin?: boolean;
  /** Wall ms a client may take to send its headers, and its whole request (DEFAULT_TIMEOUTS); tests shorten them. */
  timeouts?: { headersMs?: number; requestMs?: number };
}

/**
 * A socket that dribbles its headers (or its body) holds a connection and a parser: it is closed
 * after these. Node's own defaults (60 s, 300 s, checked every 30 s) let a slow client hold a socket
 * for minutes; every SDK sends its headers in one write.
 */
export const DEFAULT_TIMEOUTS = { headersMs: 10_000, requestMs: 60_000 } as const;

export interface FakeSls {
  url: string;
  port: number;
  /** `localhost:<port>`: what an SDK takes as endpoint (projects become `<project>.localhost`). */
  endpoint: string;
  faults: FaultInjector;
  store: EventStore | ColumnarStore;
  setCurve(curve: ((virtualMs: number) => number) | undefined): void;
  credentials: Credential[];
  stop(): Promise<void>;
  stats(): { queries: number; byLogstore: Record<string, number>; ingested: number };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

export async function startFakeSls(o: FakeSlsOptions = {}): Promise<FakeSls> {
  const host = o.host ?? '127.0.0.1';
  const state: SlsState = {
    credentials: o.credentials ?? DEFAULT_CREDENTIALS,
    projects: o.projects ?? DEFAULT_PROJECTS,
    now: o.now ?? Date.now,
    wallNow: o.wallNow ?? Date.now,
    curve: o.curve,
    wallQueries: o.wallQueries ?? false,
    store: o.storage === 'objects' ? new EventStore(o.maxEvents, o.retentionSeconds) : new ColumnarStore(o.maxEvents, o.retentionSeconds),
    faults: new FaultInjector(),
    stats: { queries: 0, byLogstore: {}, ingested: 0 },
    logger: o.logger,
  };
  const headersTimeout = o.timeouts?.headersMs ?? DEFAULT_TIMEOUTS.headersMs;
  const requestTimeout = Math.max(headersTimeout, o.timeouts?.requestMs ?? DEFAULT_TIMEOUTS.requestMs);
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, Math.max(50, headersTimeout / 4)) }, createHandler(state, { allowRemoteAdmin: o.allowRemoteAdmin ?? false }));
  server.keepAliveTimeout = 5000;
  const sockets = new Set<Socket>();
  // Node's headersTimeout reliably ends a request whose headers dribble in, but not always a
  // connection that never sends a byte: that one gets its own deadline, until its first request.
  const firstRequest = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (s) => {
    sockets.add(s);
    firstRequest.set(s, setTimeout(() => s.destroy(), headersTimeout).unref());
    s.on('close', () => {
      sockets.delete(s);
      clearTimeout(firstRequest.get(s));
    });
  });
  server.on('request', (req: IncomingMessage) => clearTimeout(firstRequest.get(req.socket)));
  const port = await listen(server, o.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    endpoint: `localhost:${port}`,
    faults: state.faults,
    store: state.store,
    credentials: state.credentials,
    setCurve: (c) => void (state.curve = c),
    stats: () => ({ ...state.stats, byLogstore: { ...state.stats.byLogstore } }),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
