import { Agent, type AgentOptions, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ExporterConfig } from './config.ts';

/**
 * The real @alicloud/log client with two things the SDK does not do on its own:
 * - response headers: the SDK returns only the body, so `x-log-progress: Incomplete` would be lost.
 *   Its per-call options reach Node's http.request (via httpx), and Node hands those options to the
 *   agent's `addRequest`; an agent that tags each call sees each response's headers.
 * - `<project>.localhost`: Node 20 does not resolve it; RFC 6761 reserves *.localhost for loopback,
 *   so the agent's lookup answers it without DNS.
 */

const CALL = Symbol.for('ebbflow.slsCall');

export function localhostAwareLookup(hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options.all) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
    return callback(null, '127.0.0.1', 4);
  }
  dnsLookup(hostname, options, callback as never);
}

export class HeaderObservingAgent extends Agent {
  private readonly seen = new Map<number, IncomingHttpHeaders>();
  constructor(opts: AgentOptions = {}) {
    super({ keepAlive: true, maxSockets: 16, ...opts, lookup: localhostAwareLookup } as AgentOptions);
  }
  // Node passes http.request's options (with our tag) to addRequest: the only hook that sees both.
  addRequest(req: ClientRequest, options: object): void {
    const id = (options as Record<symbol, number>)[CALL];
    if (id !== undefined) req.once('response', (res) => this.seen.set(id, res.headers));
    (Agent.prototype as unknown as { addRequest(r: ClientRequest, o: object): void }).addRequest.call(this, req, options);
  }
  /** Per-call SDK options that make this agent record the response headers under `id`. */
  callOptions(id: number, timeoutMs: number): object {
    return { agent: this, timeout: timeoutMs, beforeRequest: (o: object) => ({ ...o, [CALL]: id }) };
  }
  take(id: number): IncomingHttpHeaders | undefined {
    const h = this.seen.get(id);
    this.seen.delete(id);
    return h;
  }
}

export interface SlsCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Credentials from the config, or from a file re-read when it changes (RRSA/OIDC rotation). */
export function credentialsSource(c: ExporterConfig['sls']['credentials']): { get(): SlsCredentials; describe(): string } {
  if (!c.file) {
    const fixed = { accessKeyId: c.accessKeyId!, accessKeySecret: c.accessKeySecret!, ...(c.securityToken ? { securityToken: c.securityToken } : {}) };
    return { get: () => fixed, describe: () => `AccessKey ${mask(fixed.accessKeyId)}${fixed.securityToken ? ' with STS token' : ''}` };
  }
  const file = c.file;
  let cached: { mtimeMs: number; size: number; creds: SlsCredentials } | undefined;
  return {
    get() {
      const st = statSync(file);
      if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.creds;
      const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | undefined>;
      const accessKeyId = j.AccessKeyId ?? j.accessKeyId;
      const accessKeySecret = j.AccessKeySecret ?? j.accessKeySecret;
      const securityToken = j.SecurityToken ?? j.securityToken;
      if (!accessKeyId || !accessKeySecret) throw Object.assign(new Error(`credentials file ${file} lacks AccessKeyId/AccessKeySecret`), { code: 'CredentialsInvalid' });
      cached = { mtimeMs: st.mtimeMs, size: st.size, creds: { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) } };
      return cached.creds;
    },
    describe: () => `credentials file ${file} (re-read on change)`,
  };
}

/** Only a prefix of a key ever reaches a log line. */
export function mask(s: string): string {
  return s.length <= 4 ? '****' : `${s.slice(0, 4)}****`;
}

export interface SlsClient {
  getLogs(project: string, logstore: string, from: Date, to: Date, data: { query: string; line?: number }, options: object): Promise<unknown>;
}

export function createSlsClient(sls: ExporterConfig['sls'], creds: { get(): SlsCredentials }): SlsClient {
  const require = createRequire(import.meta.url);
  const Client = require('@alicloud/log') as new (cfg: object) => SlsClient;
  const endpoint = sls.endpoint ?? `${sls.region}${sls.internal ? '-intranet' : ''}.log.aliyuncs.com`;
  return new Client({
    endpoint,
    // The SDK checks that getCredentials is an AsyncFunction by its constructor name.
    credentialsProvider: { getCredentials: async () => creds.get() },
  });
}
