import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSls, type FakeSls } from '../harness/fake-sls/index.ts';
import { waitUntil } from '../core/wait.ts';
import { isUserError } from '../core/errors.ts';
import { openCredentials } from './sls-client.ts';
import { spawnMain } from './testing.ts';

/**
 * RRSA end to end: the exporter process (main.ts, as in the pod) gets ACK's RRSA variables, calls a
 * fake STS AssumeRoleWithOIDC over HTTPS on 127.0.0.1 (the library always speaks HTTPS; the test's
 * own CA reaches the process through NODE_EXTRA_CA_CERTS), and signs SLS calls with what STS gave.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ROLE = 'acs:ram::1234567890:role/sls-exporter';
const PROVIDER = 'acs:ram::1234567890:oidc-provider/ack-rrsa-c1';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bW9uaXRvcmluZzpzbHMtZXhwb3J0ZXIifQ.sig';

interface StsCall {
  query: URLSearchParams;
  form: URLSearchParams;
}
type StsAnswer = (n: number) => { status: number; body: unknown };

function tlsPair(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, 'sts.key');
  const certFile = join(dir, 'sts.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

async function fakeSts(tls: { key: string; cert: string }, answer: StsAnswer): Promise<{ calls: StsCall[]; endpoint: string }> {
  const calls: StsCall[] = [];
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      calls.push({ query: new URL(req.url ?? '/', 'https://x').searchParams, form: new URLSearchParams(body) });
      const a = answer(calls.length);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { calls, endpoint: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function setup(answer: (n: number, sls: FakeSls) => { status: number; body: unknown }) {
  const dir = mkdtempSync(join(tmpdir(), 'ebf-rrsa-'));
  const tls = tlsPair(dir);
  // Only STS-issued keys are valid, each with its token: an unsigned or AK-signed call fails.
  const sls = await startFakeSls({ curve: () => 31, credentials: [] });
  cleanups.push(() => sls.stop());
  const sts = await fakeSts(tls, (n) => answer(n, sls));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, TOKEN);
  const config = join(dir, 'exporter.yaml');
  writeFileSync(config, `sls:\n  endpoint: ${sls.endpoint}\nlisten: {host: 127.0.0.1, port: 0, renderCache: 0}\nmetrics:\n  - {name: active_devices, project: chat-prod, logstore: device-heartbeat, query: "* | select approx_distinct(device_id) as active_devices", valueColumn: active_devices, interval: 200ms, maxStaleness: 10s, retries: 0}\n`);
  const env = { ALIBABA_CLOUD_ROLE_ARN: ROLE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: PROVIDER, ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile, ALIBABA_CLOUD_ROLE_SESSION_NAME: 'sls-exporter-test', ALIBABA_CLOUD_STS_ENDPOINT: sts.endpoint, NODE_EXTRA_CA_CERTS: tls.certFile };
  const p = spawnMain(config, env);
  cleanups.push(() => p.stop());
  const port = await p.port();
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { sls, sts, p, metrics, tokenFile };
}

const issue = (sls: FakeSls, n: number, expiresInMs: number) => {
  const c = { accessKeyId: `STS.key-${n}`, accessKeySecret: `sts-secret-${n}`, securityToken: `sts-token-${n}` };
  sls.credentials.push(c);
  return { status: 200, body: { RequestId: `req-${n}`, Credentials: { AccessKeyId: c.accessKeyId, AccessKeySecret: c.accessKeySecret, SecurityToken: c.securityToken, Expiration: utc(Date.now() + expiresInMs) } } };
};
const lastSuccess = (text: string) => Number(/^sls_exporter_last_success_timestamp_seconds\{metric="active_devices"\} (\S+)$/m.exec(text)?.[1] ?? NaN);

describe('RRSA (AssumeRoleWithOIDC through @alicloud/credentials)', () => {
  it('sends the token and ARNs, signs SLS calls with the STS key and token, refreshes near expiry', async () => {
    // First credentials expire in 10 minutes (inside the 15-minute refresh margin), the next in an hour.
    const { sls, sts, metrics } = await setup((n, s) => issue(s, n, n === 1 ? 10 * 60_000 : 3600_000));
    const first = await waitUntil('a value signed with STS credentials', 15_000, async () => {
      const t = await metrics();
      return /^active_devices 31$/m.test(t) ? t : undefined;
    }, undefined, 50);
    expect(sts.calls[0]!.query.get('Action')).toBe('AssumeRoleWithOIDC');
    expect(Object.fromEntries(sts.calls[0]!.form)).toMatchObject({ OIDCToken: TOKEN, RoleArn: ROLE, OIDCProviderArn: PROVIDER, RoleSessionName: 'sls-exporter-test' });
    // Near expiry: the next SLS call refreshes; from then on only the second key is accepted.
    await waitUntil('a refresh', 15_000, async () => (sts.calls.length >= 2 ? true : undefined), undefined, 50);
    sls.credentials.splice(0, 1);
    const cut = Date.now() / 1000;
    const after = await waitUntil('a good answer after the first key was revoked', 15_000, async () => {
      const t = await metrics();
      return lastSuccess(t) > cut + 0.5 ? t : undefined;
    }, undefined, 50);
    expect(lastSuccess(after)).toBeGreaterThan(lastSuccess(first));
    // Far from expiry: no more STS calls however many polls.
    expect(sts.calls.length).toBe(2);
    // The fake answers a revoked key as SLS does (Unauthorized, "AccessKeyId not found"): at most the
    // one poll that raced the revocation may have used the old key.
    expect(/code="Unauthorized"\} (\d+)/.exec(after)?.[1] ?? '0').toMatch(/^[01]$/);
  });

  it('a missing OIDC token file is a UserError at startup naming the file and variable', () => {
    const cr = { rrsa: { roleArn: ROLE, oidcProviderArn: PROVIDER, oidcTokenFile: '/nonexistent/token', durationSeconds: 3600 } };
    expect(() => openCredentials(cr, {})).toThrow(/RRSA OIDC token file \/nonexistent\/token \(ALIBABA_CLOUD_OIDC_TOKEN_FILE\): cannot use it \(ENOENT\)/);
    try {
      openCredentials(cr, {});
    } catch (e) {
      expect(isUserError(e)).toBe(true);
    }
  });

  it('an STS error is a clear, counted error and no SLS call goes out unsigned', async () => {
    const { sls, sts, metrics, p } = await setup(() => ({ status: 400, body: { RequestId: 'req-x', Code: 'AuthenticationFail.OIDCToken.Invalid', Message: 'OIDCToken is expired.' } }));
    const text = await waitUntil('StsError counted', 15_000, async () => {
      const t = await metrics();
      return /code="StsError"\} [1-9]/.test(t) ? t : undefined;
    }, undefined, 50);
    expect(text).not.toMatch(/^active_devices /m);
    expect(sts.calls.length).toBeGreaterThanOrEqual(1);
    expect(sls.stats().queries).toBe(0);
    await p.stop();
    const { stderr } = await p.exited;
    expect(stderr).toContain(`AssumeRoleWithOIDC at ${sts.endpoint} for ${ROLE} failed: AuthenticationFail.OIDCToken.Invalid: OIDCToken is expired. (RequestId req-x)`);
  });
});
