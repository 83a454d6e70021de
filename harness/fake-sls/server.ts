import type { Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
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
}

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
  const server = createServer(createHandler(state, { allowRemoteAdmin: o.allowRemoteAdmin ?? false }));
  server.keepAliveTimeout = 5000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
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
