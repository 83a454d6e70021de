import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { ExporterConfig } from './config.ts';
import { startPoller } from './poller.ts';
import { createSlsClient, credentialsSource, HeaderObservingAgent } from './sls-client.ts';

export interface ExporterOptions {
  host?: string;
  port?: number;
  logger?: Logger;
  agent?: HeaderObservingAgent;
  /** Epoch ms the queries are anchored on (a replay's virtual clock); default Date.now. */
  now?: () => number;
  /** Skip process metrics (several exporters in one test process would clash on nothing, but it is noise). */
  processMetrics?: boolean;
}

export interface RunningExporter {
  url: string;
  port: number;
  ready(): boolean;
  registry: Registry;
  stop(): Promise<void>;
}

export async function startExporter(config: ExporterConfig, opts: ExporterOptions = {}): Promise<RunningExporter> {
  const log = opts.logger;
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const p = config.selfPrefix;
  const duration = new Histogram({ name: `${p}_query_duration_seconds`, help: 'Duration of SLS queries', labelNames: ['metric', 'outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const errors = new Counter({ name: `${p}_query_errors_total`, help: 'Failed SLS query attempts by error code', labelNames: ['metric', 'code'], registers: [registry] });
  const fresh = (x: (typeof pollers)[number]) => x.poller.state.lastSuccess !== undefined && Date.now() - x.poller.state.lastSuccess <= x.m.maxStaleness * 1000;
  new Gauge({
    name: `${p}_last_success_timestamp_seconds`,
    help: 'Wall time of the last good answer',
    labelNames: ['metric'],
    registers: [registry],
    collect() {
      for (const x of pollers) if (x.poller.state.lastSuccess !== undefined) this.set({ metric: x.m.name }, x.poller.state.lastSuccess / 1000);
    },
  });
  new Gauge({
    name: `${p}_up`,
    help: '1 while the metric is fresh (a good answer within maxStaleness), else 0',
    labelNames: ['metric'],
    registers: [registry],
    collect() {
      for (const x of pollers) this.set({ metric: x.m.name }, fresh(x) ? 1 : 0);
    },
  });

  const creds = credentialsSource(config.sls.credentials);
  const client = createSlsClient(config.sls, creds);
  const agent = opts.agent ?? new HeaderObservingAgent();
  log?.info({ endpoint: config.sls.endpoint ?? config.sls.region, credentials: creds.describe(), metrics: config.metrics.map((m) => m.name) }, 'sls exporter starting');

  const pollers: { m: (typeof config.metrics)[number]; poller: ReturnType<typeof startPoller> }[] = [];
  for (const m of config.metrics) {
    const poller = startPoller(m, {
      client,
      agent,
      now: opts.now ?? Date.now,
      logger: log,
      hooks: {
        onDuration: (s, outcome) => duration.observe({ metric: m.name, outcome }, s),
        onError: (code) => errors.inc({ metric: m.name, code }),
      },
    });
    for (const code of ['Incomplete']) errors.inc({ metric: m.name, code }, 0);
    const entry = { m, poller };
    pollers.push(entry);
    // Not a prom-client Gauge: a label-less Gauge resets to 0, and a stale metric must vanish, not read 0.
    const published = {
      name: m.name,
      help: m.help,
      async get() {
        const values: { value: number; labels: Record<string, string> }[] = [];
        try {
          if (fresh(entry) && poller.state.samples) for (const s of poller.state.samples) values.push({ value: s.value, labels: s.labels });
        } catch (e) {
          // collect must never throw: a throwing metric fails the whole scrape.
          log?.error({ metric: m.name, err: String(e) }, 'collect failed; metric omitted from this scrape');
        }
        return { name: m.name, help: m.help, type: 'gauge', values, aggregator: 'sum' };
      },
    };
    registry.registerMetric(published as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  const ready = () => pollers.every((x) => x.poller.state.lastSuccess !== undefined);
  // Scrapes that arrive together share one rendering: published values change once per poll
  // interval (seconds), so a render younger than renderCacheMs is as fresh as a new one, and a burst
  // of scrapes (several Prometheus replicas, a load test) costs one render, not one each.
  const renderCacheMs = config.listen.renderCache * 1000;
  let rendered: { at: number; body: Promise<string> } | undefined;
  const render = (): Promise<string> => {
    const t = performance.now();
    if (!rendered || t - rendered.at > renderCacheMs) {
      const body = registry.metrics();
      rendered = { at: t, body };
      body.catch(() => (rendered = undefined));
    }
    return rendered.body;
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      render()
        .then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body))
        .catch((e: unknown) => res.writeHead(500).end(String(e)));
    } else if (path === '/healthz') res.writeHead(200).end('ok\n');
    else if (path === '/readyz') res.writeHead(ready() ? 200 : 503).end(ready() ? 'ready\n' : 'waiting for the first good answer from SLS\n');
    else res.writeHead(404).end('not found: try /metrics, /healthz or /readyz\n');
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(Object.assign(e, { message: `exporter cannot listen on ${opts.host ?? config.listen.host}:${opts.port ?? config.listen.port}: ${e.message}` })));
    server.listen(opts.port ?? config.listen.port, opts.host ?? config.listen.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const host = opts.host ?? config.listen.host;
  log?.info({ port }, 'serving /metrics, /healthz, /readyz');
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    ready,
    registry,
    async stop() {
      await Promise.all(pollers.map((x) => x.poller.stop()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (!opts.agent) agent.destroy();
    },
  };
}
