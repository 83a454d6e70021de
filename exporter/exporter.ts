import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { UserError } from '../core/errors.ts';
import { buildInfo, type BuildInfo } from './build-info.ts';
import { endpointWarning, type ExporterConfig, type MetricConfig } from './config.ts';
import { landingPage } from './landing.ts';
import { assertTimerSafe, realClock, startPoller, type Clock, type PollEvent } from './poller.ts';
import { endpointForLog } from './redact.ts';
import { createSlsClient, HeaderObservingAgent, openCredentials } from './sls-client.ts';
import { ERROR_CODES, type Sample } from './value.ts';

export interface ExporterOptions {
  host?: string;
  port?: number;
  logger?: Logger;
  agent?: HeaderObservingAgent;
  /** Epoch ms the queries are anchored on (a replay's virtual clock); default Date.now. */
  now?: () => number;
  /** Skip process metrics (several exporters in one test process would clash on nothing, but it is noise). */
  processMetrics?: boolean;
  /** Wall time and timers for polling, staleness and the render cache; default the real ones. */
  clock?: Clock;
  /** Called after each poll cycle (a query and its retries) ends: the acknowledgement to wait on. */
  onPoll?: (e: PollEvent) => void;
  /** Environment for credential lookups (ALIBABA_CLOUD_PROFILE) and EXPORTER_REVISION; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningExporter {
  url: string;
  port: number;
  ready(): boolean;
  registry: Registry;
  /** What a metric holds now, as `/metrics` would publish it (the KEDA scaler reads values here). */
  reading(name: string): MetricReading | undefined;
  stop(): Promise<void>;
}

/**
 * A metric's state for a reader other than `/metrics`: the samples are given only while fresh, so
 * no reader can hand on a value older than `maxStaleness`.
 */
export interface MetricReading {
  metric: MetricConfig;
  /** The last good answer's samples while within maxStaleness, else undefined. */
  samples: Sample[] | undefined;
  /** Clock ms of the last good answer. */
  lastSuccess: number | undefined;
  lastError: { code: string; message: string } | undefined;
}

type Poller = ReturnType<typeof startPoller>;
interface Entry {
  m: MetricConfig;
  poller: Poller;
}

/**
 * Order matters: credentials are checked first (a bad file is a configuration error), then the port
 * is taken (in use → exit 2), and only then does polling start — an exporter that cannot serve must
 * never query SLS.
 */
export async function startExporter(config: ExporterConfig, opts: ExporterOptions = {}): Promise<RunningExporter> {
  const log = opts.logger;
  const clock = opts.clock ?? realClock;
  config.metrics.forEach(assertTimerSafe);
  const creds = openCredentials(config.sls.credentials, opts.env);
  const entries: Entry[] = [];
  const fresh = (x: Entry) => x.poller.state.lastSuccess !== undefined && clock.now() - x.poller.state.lastSuccess <= x.m.maxStaleness * 1000;
  const info = buildInfo(opts.env);
  const { registry, duration, errors } = selfMetrics(config, opts.processMetrics !== false, entries, fresh, info);
  const ready = () => entries.length === config.metrics.length && entries.every((x) => x.poller.state.lastSuccess !== undefined);
  const host = opts.host ?? config.listen.host;
  const home = landingPage(info, config.selfPrefix, config.metrics.map((m) => m.name));
  const server = await listen(createServer(handler(registry, ready, config.listen.renderCache * 1000, clock, home)), host, opts.port ?? config.listen.port);
  const port = (server.address() as { port: number }).port;

  const client = createSlsClient(config.sls, creds);
  const agent = opts.agent ?? new HeaderObservingAgent();
  log?.info({ endpoint: config.sls.endpoint !== undefined ? endpointForLog(config.sls.endpoint) : config.sls.region, credentials: creds.describe(), metrics: config.metrics.map((m) => m.name), port, version: info.version }, 'sls exporter serving /metrics, /healthz, /readyz; polling starts');
  const bare = endpointWarning(config.sls);
  if (bare) log?.warn({ field: 'sls.endpoint' }, bare);
  for (const m of config.metrics) {
    const poller = startPoller(m, {
      client,
      agent,
      now: opts.now ?? Date.now,
      clock,
      logger: log,
      hooks: {
        onDuration: (s, outcome) => duration.observe({ metric: m.name, outcome }, s),
        onError: (code) => errors.inc({ metric: m.name, code }),
        onCycle: (e) => {
          try {
            opts.onPoll?.(e);
          } catch (err) {
            log?.error({ metric: m.name, err: String(err) }, 'onPoll hook failed');
          }
        },
      },
    });
    const entry = { m, poller };
    entries.push(entry);
    registry.registerMetric(publishedMetric(entry, fresh, log) as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    ready,
    registry,
    reading(name) {
      const x = entries.find((e) => e.m.name === name);
      if (!x) return undefined;
      const { samples, lastSuccess, lastError } = x.poller.state;
      return { metric: x.m, samples: fresh(x) ? samples : undefined, lastSuccess, lastError: lastError && { code: lastError.code, message: lastError.message } };
    },
    async stop() {
      await Promise.all(entries.map((x) => x.poller.stop()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (!opts.agent) agent.destroy();
    },
  };
}

function selfMetrics(config: ExporterConfig, processMetrics: boolean, entries: Entry[], fresh: (x: Entry) => boolean, info: BuildInfo) {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const p = config.selfPrefix;
  const labels = { version: info.version, ...(info.revision ? { revision: info.revision } : {}), nodejs: info.nodejs };
  new Gauge({ name: `${p}_build_info`, help: 'Always 1; the labels say which exporter build runs', labelNames: Object.keys(labels), registers: [registry] }).set(labels, 1);
  const duration = new Histogram({ name: `${p}_query_duration_seconds`, help: 'Duration of SLS queries', labelNames: ['metric', 'outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const errors = new Counter({ name: `${p}_query_errors_total`, help: 'Failed SLS query attempts by error code', labelNames: ['metric', 'code'], registers: [registry] });
  for (const m of config.metrics) for (const code of ERROR_CODES) errors.inc({ metric: m.name, code }, 0);
  new Gauge({
    name: `${p}_last_success_timestamp_seconds`,
    help: 'Wall time of the last good answer',
    labelNames: ['metric'],
    registers: [registry],
    collect() {
      for (const x of entries) if (x.poller.state.lastSuccess !== undefined) this.set({ metric: x.m.name }, x.poller.state.lastSuccess / 1000);
    },
  });
  new Gauge({
    name: `${p}_up`,
    help: '1 while the metric is fresh (a good answer within maxStaleness), else 0',
    labelNames: ['metric'],
    registers: [registry],
    collect() {
      for (const x of entries) this.set({ metric: x.m.name }, fresh(x) ? 1 : 0);
    },
  });
  return { registry, duration, errors };
}

/** Not a prom-client Gauge: a label-less Gauge resets to 0, and a stale metric must vanish, not read 0. */
function publishedMetric(entry: Entry, fresh: (x: Entry) => boolean, log: Logger | undefined) {
  const { m, poller } = entry;
  return {
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
}

function handler(registry: Registry, ready: () => boolean, renderCacheMs: number, clock: Clock, home: string) {
  // Scrapes that arrive together share one rendering: published values change once per poll
  // interval (seconds), so a render younger than renderCacheMs is as fresh as a new one, and a burst
  // of scrapes (several Prometheus replicas, a load test) costs one render, not one each.
  let rendered: { at: number; body: Promise<string> } | undefined;
  const render = (): Promise<string> => {
    const t = clock.monotonic();
    if (!rendered || t - rendered.at > renderCacheMs) {
      const body = registry.metrics();
      rendered = { at: t, body };
      body.catch(() => (rendered = undefined));
    }
    return rendered.body;
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      render()
        .then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body))
        .catch((e: unknown) => res.writeHead(500).end(String(e)));
    } else if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(home);
    else if (path === '/healthz') res.writeHead(200).end('ok\n');
    else if (path === '/readyz') res.writeHead(ready() ? 200 : 503).end(ready() ? 'ready\n' : 'waiting for the first good answer from SLS\n');
    else res.writeHead(404).end('not found: try /metrics, /healthz or /readyz\n');
  };
}

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not on this machine',
};

/** A port the exporter cannot take is the operator's to fix: a UserError (exit 2), before any query. */
async function listen(server: Server, host: string, port: number): Promise<Server> {
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = (e.code && LISTEN_HINTS[e.code]) ?? e.message;
      reject(new UserError(`exporter cannot listen on ${host}:${port}: ${why} (${e.code ?? 'error'})`, 'set listen.port in the config or EXPORTER_PORT to a free port, or stop what holds it'));
    });
    server.listen(port, host, () => resolve());
  });
  return server;
}
