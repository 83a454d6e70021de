import { createServer, request, type Server } from 'node:http';
import type { Component } from '../../../core/component.ts';

/**
 * The wall time (Unix seconds) that stands for a reader's whole-second query time on the virtual
 * clock: KEDA's prometheus trigger asks `time=<now in whole seconds>` (RFC 3339), which in production
 * makes its value up to 1 s old. Left as it is, a replay at k makes that up to k virtual seconds (a
 * wall second: 60 s at k=60, measured as KEDA's HPA metric moving once per 45–75 virtual s). This is
 * the same truncation made on the virtual clock: the last whole virtual second, mapped back to the wall.
 */
export function virtualSecondAsWall(wallNowMs: number, virtualNowMs: number, k: number): number {
  const sinceSecond = ((virtualNowMs % 1000) + 1000) % 1000;
  return (wallNowMs - sinceSecond / k) / 1000;
}

/** An instant query's URL with its `time` replaced by `time(now)`; any other request unchanged. */
export function rewriteQueryTime(url: string, time: () => number): string {
  const u = new URL(url, 'http://x');
  if (u.pathname !== '/api/v1/query' || !u.searchParams.has('time')) return url;
  u.searchParams.set('time', time().toFixed(3));
  return `${u.pathname}${u.search}`;
}

/**
 * A loopback proxy in front of the run's Prometheus for a reader whose query time has a resolution
 * of whole wall seconds (`ScalerKind.queryResolution`: KEDA's prometheus trigger): it rewrites the
 * instant query's `time` to the last whole second of the virtual clock, so the replay keeps the
 * reader's production staleness (≤ 1 virtual s) instead of k times it. Everything else passes as it is.
 */
export class QueryClockProxyComponent implements Component {
  readonly name = 'query-clock';
  private server: Server | undefined;
  url: string | undefined;

  constructor(private readonly o: () => { target: string; clock: { k: number; now(): number } }) {}

  async start(): Promise<void> {
    const { target, clock } = this.o();
    const to = new URL(target);
    const time = () => virtualSecondAsWall(Date.now(), clock.now(), clock.k);
    this.server = createServer((req, res) => {
      const up = request({ host: to.hostname, port: to.port, method: req.method, path: rewriteQueryTime(req.url ?? '/', time), headers: { ...req.headers, host: to.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`query-clock proxy: ${e.message}`);
      });
      req.pipe(up);
    });
    const server = this.server;
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    this.url = `http://127.0.0.1:${port}`;
  }

  get(): string {
    if (!this.url) throw new Error('the query-clock proxy is not started');
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
