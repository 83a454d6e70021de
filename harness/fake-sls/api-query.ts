import type { ServerResponse } from 'node:http';
import { ColumnarStore } from './columnar.ts';
import { compress, responseEncoding, type CompressType } from './compression.ts';
import { isPlainObject, parseJsonBody, requireProject, requireTarget, type SlsRequest, type SlsState } from './context.ts';
import { requestId, sendError, sendJson, SlsError } from './errors.ts';
import type { Fault } from './faults.ts';
import { curveRows, execute, executeBucketed, parseQuery, QueryError, type Query, type Row } from './query.ts';

/** GetLogs, GetLogsV2, GetHistograms and ListLogStores. */

export interface QueryParams {
  from: number;
  to: number;
  query: string;
  topic: string;
  line: number;
  offset: number;
  reverse: boolean;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
const bool = (v: unknown): boolean => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

/** Query parameters from the URL (GetLogs) or the JSON body (GetLogsV2), checked as SLS checks them. */
export function queryParams(src: Record<string, unknown>): QueryParams {
  const from = num(src.from);
  const to = num(src.to);
  if (!Number.isInteger(from) || !Number.isInteger(to)) throw new SlsError('ParameterInvalid', `from ("${String(src.from ?? '')}") and to ("${String(src.to ?? '')}") must be epoch seconds`);
  if (from > to) throw new SlsError('ParameterInvalid', `from ${from} is after to ${to}`);
  // The SDKs send line=-1 or leave it out for "the default"; SLS caps raw lines at 100.
  const lineRaw = src.line === undefined || src.line === '' ? 100 : num(src.line);
  if (!Number.isInteger(lineRaw) || lineRaw > 100) throw new SlsError('ParameterInvalid', `line "${String(src.line)}" must be an integer 0..100`);
  const offset = src.offset === undefined || src.offset === '' ? 0 : num(src.offset);
  if (!Number.isInteger(offset) || offset < 0) throw new SlsError('ParameterInvalid', `offset "${String(src.offset)}" must be a non-negative integer`);
  if (src.query !== undefined && typeof src.query !== 'string') throw new SlsError('ParameterInvalid', 'query must be a string');
  return { from, to, query: src.query || '*', topic: typeof src.topic === 'string' ? src.topic : '', line: lineRaw < 0 ? 100 : lineRaw, offset, reverse: bool(src.reverse) };
}

function parse(q: string): Query {
  try {
    return parseQuery(q);
  } catch (e) {
    if (e instanceof QueryError) throw new SlsError('ParameterInvalid', e.message);
    throw e;
  }
}

/** The query with the `topic` parameter as one more search term. */
function withTopic(q: Query, topic: string): Query {
  return topic ? { ...q, search: [...q.search, { key: '__topic__', value: topic }] } : q;
}

function select(s: SlsState, project: string, logstore: string, p: QueryParams, q: Query): Row[] {
  if (q.select?.bucket) return executeBucketed(q, p.from, p.to, (from, to, flat) => select(s, project, logstore, { ...p, from, to }, flat));
  if (s.store instanceof ColumnarStore) return s.store.query(project, logstore, p.from, p.to, q);
  return execute(q, s.store.window(project, logstore, p.from, p.to));
}

/**
 * A window whose end is nearer the wall clock than the virtual clock was asked by a process that
 * reads the wall clock: the same length, ending at the virtual now (the replay's compression then
 * applies to the exporter's interval, not to the window length, which stays in virtual seconds).
 */
export function virtualWindow(p: QueryParams, wallS: number, virtualS: number): QueryParams {
  if (Math.abs(p.to - wallS) >= Math.abs(p.to - virtualS) || Math.abs(p.to - wallS) > 900) return p;
  const to = Math.floor(virtualS) + (p.to - Math.floor(wallS));
  return { ...p, from: to - (p.to - p.from), to };
}

/**
 * Work a query may ask for, counted before any is done: time buckets (one aggregate each) and
 * histogram bins. `ebbflow curve pull` asks for 1,000 buckets a page; the console for 60 bins.
 */
export const QUERY_LIMITS = { buckets: 100_000, histogramBins: 10_000 } as const;

export function runQuery(s: SlsState, project: string, logstore: string, params: QueryParams): { rows: Row[]; parsed: Query } {
  const p = s.wallQueries ? virtualWindow(params, s.wallNow() / 1000, s.now() / 1000) : params;
  const parsed = parse(p.query);
  const bucket = parsed.select?.bucket?.seconds;
  if (bucket && Math.ceil((p.to - (p.from - (p.from % bucket))) / bucket) > QUERY_LIMITS.buckets) {
    throw new SlsError('ParameterInvalid', `the query asks for more than ${QUERY_LIMITS.buckets} time buckets of ${bucket} s between from and to; query a shorter range`);
  }
  const curve = s.curve;
  if (curve && parsed.select?.bucket) return { rows: executeBucketed(parsed, p.from, p.to, (from, _to, flat) => curveRows(flat, curve(from * 1000))), parsed };
  if (curve && parsed.select) return { rows: curveRows(parsed, curve(s.now())), parsed };
  const rows = select(s, project, logstore, p, withTopic(parsed, p.topic));
  if (parsed.select) return { rows, parsed };
  if (p.reverse) rows.reverse();
  return { rows: rows.slice(p.offset, p.offset + p.line), parsed };
}

/** Faults that answer instead of the handler; the rest shape the answer (respondRows). */
async function applyPreFault(r: SlsRequest, f: Fault | undefined): Promise<boolean> {
  if (!f) return false;
  if (f.kind === 'latency') await new Promise((res) => setTimeout(res, f.ms));
  else if (f.kind === 'error') sendError(r.res, f.code, f.message ?? `injected ${f.code}`);
  else if (f.kind === 'html502') {
    r.res.writeHead(502, { 'content-type': 'text/html' });
    r.res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
  } else if (f.kind === 'reset') r.req.socket.destroy();
  return f.kind === 'error' || f.kind === 'html502' || f.kind === 'reset';
}

function shapeRows(rows: Row[], f: Fault | undefined): { rows: Row[]; progress: string } {
  if (f?.kind === 'incomplete') {
    // A partial scan: what an Incomplete answer really looks like is a smaller number.
    const half = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, /^\d+$/.test(v) && !k.startsWith('__') ? String(Math.floor(Number(v) / 2)) : v])));
    return { rows: half, progress: 'Incomplete' };
  }
  if (f?.kind === 'wrongType') return { rows: rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k.startsWith('__') ? v : (f.value ?? 'abc')]))) as Row[], progress: 'Complete' };
  if (f?.kind === 'emptyResult') return { rows: [], progress: 'Complete' };
  return { rows, progress: 'Complete' };
}

async function writeBody(res: ServerResponse, headers: Record<string, string | number>, text: string, f: Fault | undefined, enc: CompressType): Promise<void> {
  const raw = Buffer.from(f?.kind === 'malformedJson' ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text);
  const body = await compress(raw, enc);
  if (enc !== 'none') Object.assign(headers, { 'x-log-compresstype': enc, 'x-log-bodyrawsize': raw.length });
  res.writeHead(200, headers);
  if (f?.kind !== 'slowBody') return void res.end(body);
  const half = Math.floor(body.length / 2);
  res.write(body.subarray(0, half));
  await new Promise((r) => setTimeout(r, f.ms));
  res.end(body.subarray(half));
}

function v2Meta(parsed: Query, q: string, progress: string, count: number, elapsedMs: number) {
  const bar = q.indexOf('|');
  return {
    progress, count, processedRows: count, elapsedMillisecond: Math.round(elapsedMs), hasSQL: parsed.select !== undefined,
    whereQuery: (bar < 0 ? q : q.slice(0, bar)).trim(), aggQuery: bar < 0 ? '' : q.slice(bar + 1).trim(),
    cpuSec: 0, cpuCores: 0, limited: 0, processedBytes: 0, telementryType: 'logging', powerSql: false, insertedSQL: '', mode: 0, isAccurate: true,
  };
}

async function answerQuery(s: SlsState, r: SlsRequest, p: QueryParams, v2: boolean): Promise<void> {
  const { project, logstore } = requireTarget(s, r);
  s.stats.queries++;
  s.stats.byLogstore[`${project}/${logstore}`] = (s.stats.byLogstore[`${project}/${logstore}`] ?? 0) + 1;
  const fault = s.faults.take();
  if (await applyPreFault(r, fault)) return;
  const { rows, parsed } = runQuery(s, project, logstore, p);
  const out = shapeRows(rows, fault);
  const elapsed = performance.now() - r.t0;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json', 'x-log-requestid': requestId(), 'x-log-progress': out.progress, 'x-log-count': out.rows.length,
    'x-log-processed-rows': out.rows.length, 'x-log-elapsed-millisecond': Math.round(elapsed), 'x-log-has-sql': String(parsed.select !== undefined),
    'x-log-query-info': JSON.stringify({ mode: 0 }),
  };
  const text = v2 ? JSON.stringify({ meta: v2Meta(parsed, p.query, out.progress, out.rows.length, elapsed), data: out.rows }) : JSON.stringify(out.rows);
  await writeBody(r.res, headers, text, fault, v2 ? responseEncoding(r.req.headers['accept-encoding']) : 'none');
}

/** GET /logstores/<ls>?type=log|histogram */
export async function getLogsOrHistograms(s: SlsState, r: SlsRequest): Promise<void> {
  if (r.query.type === 'histogram') return getHistograms(s, r);
  if (r.query.type !== 'log') throw new SlsError('ParameterInvalid', `type must be "log" or "histogram", got "${r.query.type ?? ''}"`);
  await answerQuery(s, r, queryParams(r.query), false);
}

/** POST /logstores/<ls>/logs with a JSON body; answered compressed when Accept-Encoding asks. */
export async function getLogsV2(s: SlsState, r: SlsRequest, body: Buffer): Promise<void> {
  const b = body.length ? parseJsonBody(body, 'GetLogsV2 body') : {};
  if (!isPlainObject(b)) throw new SlsError('PostBodyInvalid', 'GetLogsV2 body must be a JSON object');
  await answerQuery(s, r, queryParams(b), true);
}

/**
 * GetHistograms: counts of the search's hits in up to 60 equal bins over [from, to) (or bins of
 * `interval` seconds when given), the way the console's bar chart asks. SQL after `|` is ignored.
 */
export function getHistograms(s: SlsState, r: SlsRequest): void {
  const { project, logstore } = requireTarget(s, r);
  const p = queryParams({ ...r.query, line: undefined });
  const search = parse(p.query.split('|')[0]!.trim() || '*');
  const interval = r.query.interval ? num(r.query.interval) : 0;
  if (!Number.isInteger(interval) || interval < 0) throw new SlsError('ParameterInvalid', `interval "${r.query.interval}" must be a non-negative integer`);
  const span = Math.max(1, p.to - p.from);
  const width = interval > 0 ? interval : Math.max(1, Math.ceil(span / 60));
  if (Math.ceil(span / width) > QUERY_LIMITS.histogramBins) throw new SlsError('ParameterInvalid', `interval ${width} gives more than ${QUERY_LIMITS.histogramBins} bins between from and to; give a larger interval or a shorter range`);
  const bins = Array.from({ length: Math.ceil(span / width) }, (_, i) => ({ from: p.from + i * width, to: Math.min(p.to, p.from + (i + 1) * width), count: 0, progress: 'Complete' }));
  for (const row of select(s, project, logstore, p, withTopic({ search: search.search }, p.topic))) {
    const bin = bins[Math.floor((Number(row.__time__) - p.from) / width)];
    if (bin) bin.count++;
  }
  const total = bins.reduce((a, b) => a + b.count, 0);
  sendJson(r.res, 200, bins, { 'x-log-progress': 'Complete', 'x-log-count': total });
}

/** GET /logstores[?logstoreName=&offset=&size=] */
export function listLogStores(s: SlsState, r: SlsRequest): void {
  const project = requireProject(s, r);
  const offset = r.query.offset ? num(r.query.offset) : 0;
  const size = r.query.size ? num(r.query.size) : 500;
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(size) || size < 0) throw new SlsError('ParameterInvalid', 'offset and size must be non-negative integers');
  const all = s.projects[project]!.filter((n) => n.includes(r.query.logstoreName ?? ''));
  const page = all.slice(offset, offset + size);
  sendJson(r.res, 200, { count: page.length, total: all.length, logstores: page });
}
