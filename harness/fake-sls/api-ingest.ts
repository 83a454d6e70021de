import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decompress, parseCompressType } from './compression.ts';
import { isPlainObject, nullProto, parseJsonBody, requireTarget, type SlsRequest, type SlsState } from './context.ts';
import { checkEntries, jsonValueBound, logGroupEntries } from './entries.ts';
import { requestId, SlsError } from './errors.ts';
import type { StoredEvent } from './store.ts';

/** PutLogs (every route the SDKs write to, every codec) and WebTracking (GET and POST, unsigned). */

interface LogGroup {
  Logs?: { Time: number; Contents?: { Key: string; Value: string }[] }[];
  Topic?: string;
  Source?: string;
  LogTags?: { Key: string; Value: string }[];
}
type ProtoType = { decode(b: Uint8Array): unknown; toObject(m: unknown, o: object): unknown };
let logGroupType: ProtoType | undefined;

/** Decoded with the SDK's own sls.proto, so both sides agree on the wire format by construction. */
export function decodeLogGroup(body: Buffer): LogGroup {
  if (!logGroupType) {
    const require = createRequire(import.meta.url);
    const protobuf = require('protobufjs') as { loadSync(p: string): { lookupType(n: string): ProtoType } };
    const root = dirname(require.resolve('@alicloud/log/package.json'));
    const proto = [join(root, 'lib', 'sls.proto'), join(root, 'sls.proto')].find((f) => existsSync(f))!;
    logGroupType = protobuf.loadSync(proto).lookupType('sls.LogGroup');
  }
  try {
    return logGroupType.toObject(logGroupType.decode(body), { longs: Number }) as LogGroup;
  } catch (e) {
    throw new SlsError('PostBodyInvalid', `body is not a protobuf LogGroup: ${(e as Error).message}`);
  }
}

/** A LogGroup's logs as events: topic, source and tags become `__topic__`, `__source__`, `__tag__:<k>`. */
export function logGroupEvents(g: LogGroup): StoredEvent[] {
  return (g.Logs ?? []).map((l) => {
    const fields = nullProto();
    for (const c of l.Contents ?? []) fields[c.Key] = c.Value;
    if (g.Topic) fields.__topic__ = g.Topic;
    if (g.Source) fields.__source__ = g.Source;
    for (const t of g.LogTags ?? []) fields[`__tag__:${t.Key}`] = t.Value;
    return { time: Number(l.Time), fields };
  });
}

function ingest(s: SlsState, project: string, logstore: string, events: StoredEvent[]): void {
  s.store.append(project, logstore, events, Math.floor(s.now() / 1000));
  s.stats.ingested += events.length;
}

/** POST /logstores/<ls>/shards/lb, /shards/route?key=, and /logstores/<ls> (the Go SDK's route). */
export async function putLogs(s: SlsState, r: SlsRequest, body: Buffer): Promise<void> {
  const { project, logstore } = requireTarget(s, r);
  const type = parseCompressType(r.req.headers['x-log-compresstype']);
  const raw = await decompress(body, type, r.req.headers['x-log-bodyrawsize']);
  checkEntries(logGroupEntries(raw), 'the LogGroup');
  ingest(s, project, logstore, logGroupEvents(decodeLogGroup(raw)));
  r.res.writeHead(200, { 'x-log-requestid': requestId() }).end();
}

function stringify(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One WebTracking log: ordinary fields, then the reserved ones the server owns (`__time__` is arrival). */
function trackEvent(log: Record<string, unknown>, nowS: number, meta: { topic?: string; source: string; tags: Record<string, string> }): StoredEvent {
  const fields = nullProto();
  for (const [k, v] of Object.entries(log)) if (k !== '__time__' && v !== undefined && v !== null) fields[k] = stringify(v);
  if (meta.topic) fields.__topic__ = meta.topic;
  fields.__source__ = meta.source;
  for (const [k, v] of Object.entries(meta.tags)) fields[`__tag__:${k}`] = v;
  return { time: nowS, fields };
}

function clientIp(r: SlsRequest): string {
  return (r.req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/** POST /logstores/<ls>/track with `{__topic__, __source__, __tags__, __logs__}` (optionally compressed). */
export async function webTrackingPost(s: SlsState, r: SlsRequest, body: Buffer): Promise<void> {
  const { project, logstore } = requireTarget(s, r);
  const type = parseCompressType(r.req.headers['x-log-compresstype']);
  const raw = await decompress(body, type, type === 'none' ? undefined : r.req.headers['x-log-bodyrawsize']);
  checkEntries(jsonValueBound(raw), 'the WebTracking body');
  const b = parseJsonBody(raw, 'WebTracking body');
  if (!isPlainObject(b) || !Array.isArray(b.__logs__)) throw new SlsError('PostBodyInvalid', 'WebTracking body must be an object with a __logs__ array');
  if (b.__tags__ !== undefined && !isPlainObject(b.__tags__)) throw new SlsError('PostBodyInvalid', '__tags__ must be an object of string values');
  const logs = b.__logs__ as unknown[];
  const bad = logs.findIndex((l) => !isPlainObject(l));
  if (bad >= 0) throw new SlsError('PostBodyInvalid', `__logs__[${bad}] must be an object`);
  const tags = nullProto();
  for (const [k, v] of Object.entries((b.__tags__ as Record<string, unknown> | undefined) ?? {})) tags[k] = stringify(v);
  const meta = { topic: typeof b.__topic__ === 'string' ? b.__topic__ : undefined, source: typeof b.__source__ === 'string' && b.__source__ ? b.__source__ : clientIp(r), tags };
  const nowS = Math.floor(s.now() / 1000);
  ingest(s, project, logstore, (logs as Record<string, unknown>[]).map((l) => trackEvent(l, nowS, meta)));
  r.res.writeHead(200, { 'x-log-requestid': requestId() }).end();
}

/** GET /logstores/<ls>/track?APIVersion=0.6.0&k=v… (and track_ua.gif, which adds the browser's headers as tags). */
export function webTrackingGet(s: SlsState, r: SlsRequest, withUa: boolean): void {
  const { project, logstore } = requireTarget(s, r);
  if (r.query.APIVersion !== '0.6.0') throw new SlsError('ParameterInvalid', `APIVersion must be 0.6.0, got "${r.query.APIVersion ?? ''}"`);
  const log: Record<string, unknown> = nullProto();
  for (const [k, v] of Object.entries(r.query)) if (k !== 'APIVersion' && k !== '__topic__' && k !== '__source__') log[k] = v;
  const tags = nullProto();
  if (withUa) {
    tags.__user_agent__ = String(r.req.headers['user-agent'] ?? '');
    tags.__referer__ = String(r.req.headers.referer ?? '');
  }
  const meta = { topic: r.query.__topic__, source: r.query.__source__ || clientIp(r), tags };
  ingest(s, project, logstore, [trackEvent(log, Math.floor(s.now() / 1000), meta)]);
  r.res.writeHead(200, { 'x-log-requestid': requestId() }).end();
}
