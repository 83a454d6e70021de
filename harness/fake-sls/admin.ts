import { parseJsonText } from '../../core/json.ts';
import { isPlainObject, readBody, type SlsRequest, type SlsState } from './context.ts';
import { sendJson } from './errors.ts';
import { FaultInputError, parseFaultBody } from './faults.ts';

/**
 * `/_admin/*`: fault injection, curve override and counters for tests and the CLI. Not part of SLS:
 * answered only to loopback clients unless the server was started with `allowRemoteAdmin`, because
 * anyone reaching it can make every query fail.
 */

export function isLoopback(address: string | undefined): boolean {
  const a = (address ?? '').replace(/^::ffff:/, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

const bad = (r: SlsRequest, message: string) => sendJson(r.res, 400, { errorCode: 'ParameterInvalid', errorMessage: message });

async function jsonBody(r: SlsRequest): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = (await readBody(r.req, 1024 * 1024)).toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  const parsed = parseJsonText(text);
  if (!parsed.ok) bad(r, `${r.path}: body is not valid JSON (line ${parsed.line}, column ${parsed.column})`);
  return parsed.ok ? parsed : { ok: false };
}

async function faults(s: SlsState, r: SlsRequest): Promise<void> {
  if (r.method === 'GET') return sendJson(r.res, 200, { injected: s.faults.injected(), pending: s.faults.pending() });
  if (r.method === 'DELETE') {
    s.faults.clear();
    return sendJson(r.res, 200, { pending: 0 });
  }
  if (r.method !== 'POST') return sendJson(r.res, 405, { errorCode: 'MethodNotAllowed', errorMessage: `${r.method} ${r.path}: use GET, POST or DELETE` });
  const body = await jsonBody(r);
  if (!body.ok) return;
  let parsed;
  try {
    parsed = parseFaultBody(body.value);
  } catch (e) {
    if (e instanceof FaultInputError) return bad(r, `${r.path}: ${e.message} (e.g. {"kind":"error","code":"ServerBusy","times":2} or {"clear":true})`);
    throw e;
  }
  if (parsed === 'clear') s.faults.clear();
  else for (const f of parsed) s.faults.inject(f);
  sendJson(r.res, 200, { pending: s.faults.pending() });
}

async function curve(s: SlsState, r: SlsRequest): Promise<void> {
  if (r.method !== 'POST') return sendJson(r.res, 405, { errorCode: 'MethodNotAllowed', errorMessage: `${r.method} ${r.path}: use POST {"const": N}` });
  const body = await jsonBody(r);
  if (!body.ok) return;
  const v = body.value;
  if (!isPlainObject(v) || Object.keys(v).some((k) => k !== 'const')) return bad(r, `${r.path}: body must be {"const": N} (N ≥ 0) or {"const": null} to leave curve mode`);
  const c = v.const;
  if (c === null || c === undefined) s.curve = undefined;
  else if (typeof c === 'number' && Number.isFinite(c) && c >= 0) s.curve = () => c;
  else return bad(r, `${r.path}: const must be a number ≥ 0 or null, got ${JSON.stringify(c)}`);
  sendJson(r.res, 200, { curve: c ?? null });
}

export async function handleAdmin(s: SlsState, r: SlsRequest, allowRemote: boolean): Promise<void> {
  if (!allowRemote && !isLoopback(r.req.socket.remoteAddress)) {
    return sendJson(r.res, 403, { errorCode: 'Forbidden', errorMessage: `${r.path} answers loopback clients only (start the fake SLS with --allow-remote-admin to change that)` });
  }
  if (r.path === '/_admin/faults') return faults(s, r);
  if (r.path === '/_admin/curve') return curve(s, r);
  if (r.path === '/_admin/stats' && r.method === 'GET') return sendJson(r.res, 200, { ...s.stats, now: s.now() });
  sendJson(r.res, 404, { errorCode: 'NotFound', errorMessage: `no admin endpoint ${r.method} ${r.path}; there are /_admin/faults, /_admin/curve, /_admin/stats` });
}
