import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startFakeSls, type FakeSls } from '../harness/fake-sls/index.ts';
import { UserError } from '../core/errors.ts';
import { parseExporterConfig, startExporter } from './index.ts';
import { fixedAddress, localhostAwareLookup, openCredentials, readSecretFile, SECRET_FILE_MAX_BYTES } from './sls-client.ts';
import { PollLog } from './testing.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ebf-slsc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const METRIC = 'metrics:\n  - {name: active_devices, project: chat-prod, logstore: device-heartbeat, query: "* | select approx_distinct(device_id) as active_devices", valueColumn: active_devices, interval: 100ms, timeout: 1s, maxStaleness: 5s, retries: 0}\n';

/** A pino logger whose lines a test can read: the same output the exporter writes to stderr. */
function memoryLogger() {
  let text = '';
  const stream = new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) });
  return { logger: pino({ level: 'debug' }, stream), text: () => text };
}

async function fakeSls(opts: Parameters<typeof startFakeSls>[0] = {}): Promise<FakeSls> {
  const s = await startFakeSls({ curve: () => 7, ...opts });
  cleanups.push(() => s.stop());
  return s;
}

describe('endpoints', () => {
  it('resolves <project>.localhost and <project>.<IPv4> without DNS, and nothing else', async () => {
    expect(fixedAddress('chat-prod.localhost')).toBe('127.0.0.1');
    expect(fixedAddress('chat-prod.127.0.0.1')).toBe('127.0.0.1');
    expect(fixedAddress('chat-prod.10.0.0.1')).toBe('10.0.0.1');
    expect(fixedAddress('chat-prod.999.0.0.1')).toBeUndefined();
    expect(fixedAddress('chat-prod.example.com')).toBeUndefined();
    const all = await new Promise((r) => localhostAwareLookup('p.10.1.2.3', { all: true }, (_e, a) => r(a)));
    expect(all).toEqual([{ address: '10.1.2.3', family: 4 }]);
  });

  it('an IP endpoint (127.0.0.1:<port>) polls the fake SLS, which finds the project in the Host header', async () => {
    const sls = await fakeSls();
    const cfg = parseExporterConfig(`sls:\n  endpoint: 127.0.0.1:${sls.port}\n  credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}\n${METRIC}`, 'ip.yaml', {});
    const polls = new PollLog();
    const exp = await startExporter(cfg, { host: '127.0.0.1', port: 0, processMetrics: false, env: {}, onPoll: polls.push });
    cleanups.push(() => exp.stop());
    const e = await polls.next('a poll through the IP endpoint');
    expect(e).toMatchObject({ outcome: 'success' });
    expect(await (await fetch(`${exp.url}/metrics`)).text()).toMatch(/^active_devices 7$/m);
  });

  it.each([
    ['http://user:PLANTED-ENDPOINT-PASSWORD@sls.example.com'],
    ['user:PLANTED-ENDPOINT-PASSWORD@sls.example.com:80'],
    ['https://sls.example.com/PLANTED-ENDPOINT-PASSWORD'],
    ['[::1]:18080'],
  ])('%s is a config error naming the field, never the value', (endpoint) => {
    const run = (text: string, env: NodeJS.ProcessEnv) => {
      try {
        parseExporterConfig(text, 'c.yaml', env);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const creds = '  credentials: {accessKeyId: ak, accessKeySecret: sk}\n';
    const inFile = run(`sls:\n  endpoint: "${endpoint}"\n${creds}${METRIC}`, {});
    expect(inFile).toBeInstanceOf(UserError);
    expect((inFile as Error).message).toMatch(/^c\.yaml:2:\d+: sls\.endpoint: give host\[:port\] or http\(s\):\/\/host\[:port\]/);
    const fromEnv = run(`sls:\n  region: cn-hangzhou\n${creds}${METRIC}`, { SLS_ENDPOINT: endpoint });
    expect((fromEnv as Error).message).toMatch(/c\.yaml: after environment overrides: sls\.endpoint: give host/);
    for (const e of [inFile, fromEnv]) expect((e as Error).message).not.toMatch(/PLANTED|::1/);
  });
});

describe('credentials and token files', () => {
  it('refuses a FIFO at once (never waits for a writer), a device and an oversized file', () => {
    const dir = tmp();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big');
    writeFileSync(big, 'x'.repeat(SECRET_FILE_MAX_BYTES + 1));
    const t0 = performance.now();
    for (const [file, code] of [[fifo, 'not a regular file'], ['/dev/zero', 'not a regular file'], [big, `${SECRET_FILE_MAX_BYTES + 1} bytes, more than ${SECRET_FILE_MAX_BYTES}`], [dir, 'not a regular file']] as const) {
      expect(() => readSecretFile(file), file).toThrow(expect.objectContaining({ code }));
      expect(() => openCredentials({ file }, {}), file).toThrow(`credentials file ${file}: cannot read it (${code})`);
      expect(() => openCredentials({ rrsa: { roleArn: 'acs:ram::1:role/r', oidcProviderArn: 'acs:ram::1:oidc-provider/p', oidcTokenFile: file, durationSeconds: 3600 } }, {}), file).toThrow(`RRSA OIDC token file ${file} (ALIBABA_CLOUD_OIDC_TOKEN_FILE): cannot use it (${code})`);
    }
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('a refused key in the log', () => {
  it('each 401 is logged with the AccessKey id masked, like the startup line', async () => {
    const sls = await fakeSls();
    const id = 'LTAI5tPLANTEDKEYIDX401';
    const log = memoryLogger();
    const cfg = parseExporterConfig(`sls:\n  endpoint: ${sls.endpoint}\n  credentials: {accessKeyId: ${id}, accessKeySecret: PLANTED-SECRET-X401}\n${METRIC}`, 'c.yaml', {});
    const polls = new PollLog();
    const exp = await startExporter(cfg, { host: '127.0.0.1', port: 0, processMetrics: false, env: {}, onPoll: polls.push, logger: log.logger });
    cleanups.push(() => exp.stop());
    expect(await polls.next('a refused poll')).toMatchObject({ outcome: 'error', code: 'Unauthorized' });
    expect(log.text()).toContain('AccessKeyId not found: LTAI****');
    expect(log.text()).toContain('"credentials":"AccessKey LTAI****"');
    expect(log.text()).not.toContain(id.slice(4));
    expect(log.text()).not.toContain('PLANTED-SECRET-X401');
  });
});
