import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadExporterConfig, type MetricConfig } from '../../exporter/config.ts';
import { createSlsClient, HeaderObservingAgent, openCredentials, type SlsClient } from '../../exporter/sls-client.ts';
import { classifyError, QueryFailure } from '../../exporter/value.ts';
import { errorMessage, UserError } from '../../core/errors.ts';
import { makeOutputDir, writeOutputFile } from '../../core/files.ts';
import { BadAnswer, bucketQuery, curveCsv, pageValues, planPages, PULL_LIMITS, pullRange, type PullRange } from './plan.ts';

/**
 * `ebbflow curve pull`, the I/O half: the exporter's own config, credentials and SLS client (so a
 * pull reaches SLS exactly as the exporter does), one bucketed SQL per page, retries with backoff
 * on what SLS means as "try again" (Incomplete, ReadQuotaExceed, ServerBusy, 5xx, network).
 */

export interface PullOptions {
  config: string;
  metric: string;
  from: string;
  to: string;
  step: string;
  out: string;
  force?: boolean;
  version: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  onPage?: (done: number, total: number, page: { from: number; to: number }) => void;
  onRetry?: (code: string, attempt: number, waitMs: number) => void;
  /** Tests shrink pages and backoff; the defaults are SLS's limits (plan.ts PULL_LIMITS). */
  rowsPerPage?: number;
  maxPageSeconds?: number;
  retry?: { attempts: number; baseMs: number; maxMs: number };
}

export interface PullResult {
  out: string;
  rows: number;
  pages: number;
  retries: number;
  query: string;
  range: PullRange;
}

const DEFAULT_RETRY = { attempts: 8, baseMs: 500, maxMs: 30_000 };

function pickMetric(metrics: MetricConfig[], name: string, file: string): MetricConfig {
  const m = metrics.find((x) => x.name === name);
  if (!m) throw new UserError(`${file}: no metric named ${name}`, `give --metric one of: ${metrics.map((x) => x.name).join(', ')}`);
  return m;
}

export async function pullCurve(o: PullOptions): Promise<PullResult> {
  const env = o.env ?? process.env;
  const nowS = Math.floor((o.now ?? Date.now)() / 1000);
  const range = pullRange(o.from, o.to, o.step, nowS);
  if (existsSync(o.out) && !o.force) throw new UserError(`${o.out} exists`, 'give another --out, or --force to overwrite it');
  const cfg = await loadExporterConfig(o.config, env);
  const m = pickMetric(cfg.metrics, o.metric, o.config);
  const rowsPerPage = o.rowsPerPage ?? PULL_LIMITS.rowsPerPage;
  const query = bucketQuery(m, range.step, rowsPerPage, o.config);
  const client = createSlsClient(cfg.sls, openCredentials(cfg.sls.credentials, env));
  const agent = new HeaderObservingAgent();
  const pages = planPages(range, rowsPerPage, o.maxPageSeconds ?? PULL_LIMITS.maxPageSeconds);
  const values = new Map<number, number>();
  let retries = 0;
  try {
    for (const [i, page] of pages.entries()) {
      const got = await withRetry(() => fetchPage(client, agent, m, query, page, range.step), o.retry ?? DEFAULT_RETRY, (code, attempt, waitMs) => {
        retries++;
        o.onRetry?.(code, attempt, waitMs);
      });
      for (const [t, v] of got) values.set(t, v);
      o.onPage?.(i + 1, pages.length, page);
    }
  } finally {
    agent.destroy();
  }
  const csv = curveCsv({ project: m.project, logstore: m.logstore, metric: m.name, query, range, pulledAt: new Date((o.now ?? Date.now)()), version: o.version }, values);
  makeOutputDir(dirname(o.out));
  writeOutputFile(o.out, csv);
  return { out: o.out, rows: (range.to - range.from) / range.step, pages: pages.length, retries, query, range };
}

let callId = 0;
/** The metric's timeout is sized for its short window; a page scans up to a day of it. */
const PAGE_TIMEOUT_MIN_SECONDS = 60;

async function fetchPage(client: SlsClient, agent: HeaderObservingAgent, m: MetricConfig, query: string, page: { from: number; to: number }, step: number): Promise<Map<number, number>> {
  const id = ++callId;
  try {
    const body = await client.getLogs(m.project, m.logstore, new Date(page.from * 1000), new Date(page.to * 1000), { query }, agent.callOptions(id, Math.round(Math.max(m.timeout, PAGE_TIMEOUT_MIN_SECONDS) * 1000)));
    const progress = agent.take(id)?.['x-log-progress'];
    // No header is not "Complete": a partial page would put false low counts into the curve.
    if (progress !== 'Complete') throw new QueryFailure('Incomplete', `x-log-progress is ${String(progress ?? 'missing')}: the page is partial`, true);
    return pageValues(body, page, step, m.valueColumn);
  } catch (e) {
    agent.take(id);
    if (e instanceof BadAnswer) throw new QueryFailure('BadResponse', e.message, true);
    throw classifyError(e);
  }
}

/** Retries what SLS says is worth retrying, with exponential backoff and full jitter; the rest is the user's to fix. */
async function withRetry<T>(call: () => Promise<T>, r: { attempts: number; baseMs: number; maxMs: number }, onRetry: (code: string, attempt: number, waitMs: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const f = e instanceof QueryFailure ? e : classifyError(e);
      if (!f.retriable) throw new UserError(`SLS answered ${f.code}: ${f.message}`, hintFor(f.code));
      if (attempt >= r.attempts) throw new UserError(`SLS kept answering ${f.code} after ${attempt} attempts: ${errorMessage(f)}`, 'try again later, or pull a shorter range (--from/--to) so each page scans less');
      const waitMs = Math.round(Math.random() * Math.min(r.maxMs, r.baseMs * 2 ** (attempt - 1)));
      onRetry(f.code, attempt, waitMs);
      await new Promise((res) => setTimeout(res, waitMs));
    }
  }
}

function hintFor(code: string): string {
  if (/Signature|Unauthorized|AccessKey|Credentials|Sts/.test(code)) return 'check the credentials the exporter config names (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, RRSA or the credentials file)';
  if (/NotExist/.test(code)) return 'check the metric\'s project, logstore and the sls endpoint or region';
  if (code === 'ParameterInvalid') return 'SLS refused the bucketed SQL; check that the metric\'s query runs in the SLS console';
  return 'see the SLS error code reference';
}
