import { Agent, type AgentOptions, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIPv4 } from 'node:net';
import { OIDCRoleArnCredentialsProvider } from '@alicloud/credentials';
import { errorMessage, UserError } from '../core/errors.ts';
import { credentialSource, type CredentialsConfig, type CredentialSource, type ExporterConfig } from './config.ts';
import { parseCredentialsFile, type SlsCredentials } from './credentials-file.ts';
import { mask, redactMessage } from './redact.ts';
import { QueryFailure } from './value.ts';

export type { SlsCredentials } from './credentials-file.ts';

/**
 * The real @alicloud/log client with two things the SDK does not do on its own:
 * - response headers: the SDK returns only the body, so `x-log-progress: Incomplete` would be lost.
 *   Its per-call options reach Node's http.request (via httpx), and Node hands those options to the
 *   agent's `addRequest`; an agent that tags each call sees each response's headers.
 * - `<project>.localhost`: Node 20 does not resolve it; RFC 6761 reserves *.localhost for loopback,
 *   so the agent's lookup answers it without DNS; likewise `<project>.<IPv4>` of an IP endpoint.
 */

const CALL = Symbol.for('ebbflow.slsCall');

/**
 * The address a name stands for without asking DNS: `localhost` and `*.localhost` are loopback
 * (RFC 6761), and `<project>.<IPv4>` — what the SDK makes of an IP endpoint — is that address (a
 * numeric last label is never a DNS name, RFC 3696; SLS finds the project in the Host header,
 * which keeps the name, as the Python SDK's raw-IP mode sends it).
 */
export function fixedAddress(hostname: string): string | undefined {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return '127.0.0.1';
  const ip = /^[^.]+\.(\d{1,3}(?:\.\d{1,3}){3})$/.exec(hostname)?.[1];
  return ip && isIPv4(ip) ? ip : undefined;
}

export function localhostAwareLookup(hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void {
  const fixed = fixedAddress(hostname);
  if (fixed) {
    if (options.all) return callback(null, [{ address: fixed, family: 4 }]);
    return callback(null, fixed, 4);
  }
  dnsLookup(hostname, options, callback as never);
}

type Seen = Map<number, IncomingHttpHeaders>;
type AddRequest = { addRequest(r: ClientRequest, o: object): void };

// Node passes http.request's options (with our tag) to addRequest: the only hook that sees both.
function observe(seen: Seen, base: AddRequest, self: unknown, req: ClientRequest, options: object): void {
  const id = (options as Record<symbol, number>)[CALL];
  if (id !== undefined) req.once('response', (res) => seen.set(id, res.headers));
  base.addRequest.call(self, req, options);
}

/** The same observation for `https://` endpoints: https.request refuses an http.Agent (ERR_INVALID_PROTOCOL). */
class HeaderObservingHttpsAgent extends HttpsAgent {
  constructor(
    private readonly seen: Seen,
    opts: AgentOptions,
  ) {
    super({ keepAlive: true, maxSockets: 16, ...opts, lookup: localhostAwareLookup } as AgentOptions);
  }
  addRequest(req: ClientRequest, options: object): void {
    observe(this.seen, HttpsAgent.prototype as unknown as AddRequest, this, req, options);
  }
}

export class HeaderObservingAgent extends Agent {
  private readonly seen: Seen = new Map();
  private readonly tls: HeaderObservingHttpsAgent;
  constructor(opts: AgentOptions = {}) {
    super({ keepAlive: true, maxSockets: 16, ...opts, lookup: localhostAwareLookup } as AgentOptions);
    this.tls = new HeaderObservingHttpsAgent(this.seen, opts);
  }
  addRequest(req: ClientRequest, options: object): void {
    observe(this.seen, Agent.prototype as unknown as AddRequest, this, req, options);
  }
  /**
   * Per-call SDK options that make this agent record the response headers under `id`. No `agent`
   * here: httpx then picks its default agent by the URL's scheme, and `beforeRequest` swaps in our
   * twin of the same kind (the options it sees carry no scheme).
   */
  callOptions(id: number, timeoutMs: number): object {
    return { timeout: timeoutMs, beforeRequest: (o: { agent?: unknown }) => ({ ...o, agent: o.agent instanceof HttpsAgent ? this.tls : this, [CALL]: id }) };
  }
  take(id: number): IncomingHttpHeaders | undefined {
    const h = this.seen.get(id);
    this.seen.delete(id);
    return h;
  }
  override destroy(): void {
    this.tls.destroy();
    super.destroy();
  }
}

export interface CredentialProvider {
  get(): Promise<SlsCredentials>;
  describe(): string;
}

/**
 * The credentials that sign SLS calls, by precedence: explicit keys > RRSA (AssumeRoleWithOIDC via
 * @alicloud/credentials) > credentials file. Everything that can be checked before the first query
 * is checked here and is a UserError (exit 2); a source that goes bad later fails the poll with a
 * non-retriable code (CredentialsInvalid, StsError), never as a NetworkError.
 */
export function openCredentials(cr: CredentialsConfig, env: NodeJS.ProcessEnv = process.env): CredentialProvider {
  const source = credentialSource(cr, 'exporter config');
  if (source.kind === 'keys') {
    const fixed = { accessKeyId: cr.accessKeyId!, accessKeySecret: cr.accessKeySecret!, ...(cr.securityToken ? { securityToken: cr.securityToken } : {}) };
    return { get: async () => fixed, describe: () => `AccessKey ${mask(fixed.accessKeyId)}${fixed.securityToken ? ' with STS token' : ''}` };
  }
  if (source.kind === 'rrsa') return rrsaCredentials(source.rrsa);
  return fileCredentials(source.file, env.ALIBABA_CLOUD_PROFILE || 'default');
}

/** Credentials and token files are small; anything bigger is not one (and is never read whole). */
export const SECRET_FILE_MAX_BYTES = 64 * 1024;

/**
 * A credentials or token file: a regular file only (a FIFO would block the open forever,
 * /dev/zero never end), opened non-blocking, at most SECRET_FILE_MAX_BYTES. Throws with a `code`
 * that says why, never with the content.
 */
export function readSecretFile(path: string): { text: string; mtimeMs: number; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    const refuse = (why: string) => Object.assign(new Error(why), { code: why });
    if (!st.isFile()) throw refuse('not a regular file');
    if (st.size > SECRET_FILE_MAX_BYTES) throw refuse(`${st.size} bytes, more than ${SECRET_FILE_MAX_BYTES}`);
    return { text: readFileSync(fd, 'utf8'), mtimeMs: st.mtimeMs, size: st.size };
  } finally {
    closeSync(fd);
  }
}

const why = (e: unknown) => (e as NodeJS.ErrnoException).code ?? errorMessage(e);

/** A credentials file re-read when it changes (rotation by a sidecar or a mounted Secret). */
function fileCredentials(file: string, profile: string): CredentialProvider {
  const read = () => {
    let got;
    try {
      got = readSecretFile(file);
    } catch (e) {
      throw new UserError(`credentials file ${file}: cannot read it (${why(e)})`, 'check ALIBABA_CLOUD_CREDENTIALS_FILE / sls.credentials.file and that the file is mounted and readable by the exporter user');
    }
    return { mtimeMs: got.mtimeMs, size: got.size, creds: parseCredentialsFile(got.text, file, profile) };
  };
  let cached = read();
  return {
    async get() {
      try {
        const st = statSync(file);
        if (cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) cached = read();
        return cached.creds;
      } catch (e) {
        throw new QueryFailure('CredentialsInvalid', errorMessage(e), false);
      }
    },
    describe: () => `credentials file ${file} (re-read on change)`,
  };
}

type RrsaConfig = Extract<CredentialSource, { kind: 'rrsa' }>['rrsa'];

/** ACK RRSA: the projected OIDC token is exchanged at STS; the library refreshes 15 min before expiry. */
function rrsaCredentials(r: RrsaConfig): CredentialProvider {
  try {
    if (!readSecretFile(r.oidcTokenFile).text.trim()) throw new Error('it is empty');
  } catch (e) {
    throw new UserError(`RRSA OIDC token file ${r.oidcTokenFile} (ALIBABA_CLOUD_OIDC_TOKEN_FILE): cannot use it (${why(e)})`, 'RRSA mounts the token when the pod\'s ServiceAccount is annotated with pod-identity.alibabacloud.com/role-name; check the projected volume');
  }
  const b = OIDCRoleArnCredentialsProvider.builder().withRoleArn(r.roleArn).withOIDCProviderArn(r.oidcProviderArn).withOIDCTokenFilePath(r.oidcTokenFile).withDurationSeconds(r.durationSeconds);
  b.withRoleSessionName(r.roleSessionName ?? `sls-exporter-${process.pid}`);
  if (r.stsEndpoint) b.withStsEndpoint(r.stsEndpoint);
  const provider = b.build();
  const where = r.stsEndpoint ?? 'STS';
  return {
    async get() {
      try {
        const c = await provider.getCredentials();
        return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
      } catch (e) {
        throw new QueryFailure('StsError', `AssumeRoleWithOIDC at ${where} for ${r.roleArn} failed: ${stsReason(e)}`, false);
      }
    },
    describe: () => `RRSA role ${r.roleArn} via ${where} (token ${r.oidcTokenFile})`,
  };
}

/** STS answers {Code, Message, RequestId}; the library wraps that body in its own message. */
export function stsReason(e: unknown): string {
  const msg = redactMessage(errorMessage(e));
  const json = /\{.*\}/s.exec(msg)?.[0];
  if (json) {
    try {
      const j = JSON.parse(json) as { Code?: string; Message?: string; RequestId?: string };
      if (j.Code) return `${j.Code}: ${j.Message ?? ''}${j.RequestId ? ` (RequestId ${j.RequestId})` : ''}`;
    } catch {
      // not JSON after all: the raw message says it
    }
  }
  return msg;
}

export interface SlsClient {
  getLogs(project: string, logstore: string, from: Date, to: Date, data: { query: string; line?: number }, options: object): Promise<unknown>;
}

export function createSlsClient(sls: ExporterConfig['sls'], creds: { get(): SlsCredentials | Promise<SlsCredentials> }): SlsClient {
  const require = createRequire(import.meta.url);
  const Client = require('@alicloud/log') as new (cfg: object) => SlsClient;
  // A region alone means the real service: HTTPS (a bare host would be plain HTTP on port 80).
  const endpoint = sls.endpoint ?? `https://${sls.region}${sls.internal ? '-intranet' : ''}.log.aliyuncs.com`;
  return new Client({
    endpoint,
    // The SDK checks that getCredentials is an AsyncFunction by its constructor name.
    credentialsProvider: { getCredentials: async () => creds.get() },
  });
}
