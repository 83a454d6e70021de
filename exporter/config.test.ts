import { describe, expect, it } from 'vitest';
import { isUserError } from '../core/errors.ts';
import { readFileSync } from 'node:fs';
import { compressExporterConfig, credentialSource, DURATION_BOUNDS, endpointWarning, loadExporterConfig, MAX_TIMER_SECONDS, parseExporterConfig } from './config.ts';
import { startExporter } from './exporter.ts';
import { startPoller } from './poller.ts';

const KEYS = 'credentials: {accessKeyId: a, accessKeySecret: b}';
const yaml = (metric: string, creds = KEYS) => `sls:\n  endpoint: x\n  ${creds}\nmetrics:\n  - name: m\n    project: p1x\n    logstore: l1x\n    query: "*"\n    valueColumn: v\n${metric}`;
const error = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return e as Error;
  }
  throw new Error('expected a UserError');
};

describe('duration bounds', () => {
  it.each([
    ['interval: 30d', /c\.yaml:10:5: metrics\[0\]\.interval: 30d is out of bounds: give 100ms to 1d/],
    ['interval: 25d\n    maxStaleness: 30d', /metrics\[0\]\.interval: 25d is out of bounds/],
    ['interval: 10ms', /metrics\[0\]\.interval: 10ms is out of bounds: give 100ms to 1d/],
    ['window: 2d', /c\.yaml:10:5: metrics\[0\]\.window: 2d is out of bounds: give 1s to 1d/],
    ['timeout: 10m', /metrics\[0\]\.timeout: 10m is out of bounds: give 100ms to 5m/],
    ['maxStaleness: 8d', /metrics\[0\]\.maxStaleness: 8d is out of bounds: give 100ms to 7d/],
    ['interval: 2147484', /metrics\[0\]\.interval: 2147484s is out of bounds/],
  ])('%s is refused with file:line:field', (field, message) => {
    expect(error(() => parseExporterConfig(yaml(`    ${field}\n`), 'c.yaml', {})).message).toMatch(message);
  });

  it('durations are read by units.ts: compound and sub-second forms, a bad one named where it is written', () => {
    const c = parseExporterConfig(yaml('    interval: 1m30s\n    window: 90\n    timeout: 250ms\n'), 'c.yaml', {});
    expect(c.metrics[0]).toMatchObject({ interval: 90, window: 90, timeout: 0.25 });
    expect(error(() => parseExporterConfig(yaml('    interval: 5 m\n'), 'c.yaml', {})).message).toMatch(/c\.yaml:10:\d+: metrics\[0\]\.interval: a duration like 250ms, 15s, 1m or 2h/);
    expect(error(() => parseExporterConfig(yaml('    interval: -5s\n'), 'c.yaml', {})).message).toMatch(/metrics\[0\]\.interval: a duration like/);
  });

  it('renderCache and the staleness/interval relation are checked where they are written', () => {
    expect(error(() => parseExporterConfig(`${yaml('')}listen: {renderCache: 2m}\n`, 'c.yaml', {})).message).toMatch(/c\.yaml:10:\d+: listen\.renderCache: 2m is out of bounds: give 1ms to 1m/);
    expect(error(() => parseExporterConfig(yaml('    interval: 1m\n    maxStaleness: 30s\n'), 'c.yaml', {})).message).toMatch(/c\.yaml:11:5: metrics\[0\]\.maxStaleness: 30s is shorter than the interval 1m/);
    expect(error(() => parseExporterConfig(`${yaml('')}  - {name: m, project: p1x, logstore: l1x, query: "*", valueColumn: v}\n`, 'c.yaml', {})).message).toMatch(/c\.yaml:10:\d+: metrics\[1\]\.name: duplicate metric m/);
  });

  it('the largest accepted values stay far below the timer limit, and the poller refuses one past it', async () => {
    const c = parseExporterConfig(yaml('    interval: 1d\n    window: 1d\n    timeout: 5m\n    maxStaleness: 7d\n'), 'c.yaml', {});
    expect(c.metrics[0]).toMatchObject({ interval: 86_400, window: 86_400, timeout: 300, maxStaleness: 7 * 86_400 });
    expect(DURATION_BOUNDS.interval[1] * 1.1).toBeLessThan(MAX_TIMER_SECONDS);
    // A config built in code (a replay stretching time) cannot overflow the timer either.
    const tooLong = { ...compressExporterConfig(c, 1).metrics[0]!, interval: 30 * 86_400 };
    expect(() => startPoller(tooLong, { client: {} as never, agent: {} as never, now: Date.now, hooks: { onDuration() {}, onError() {} } })).toThrow(RangeError);
    // startExporter refuses it before it takes the port.
    await expect(startExporter({ ...c, metrics: [tooLong] }, { host: '127.0.0.1', port: 0, processMetrics: false, env: {} })).rejects.toThrow(/interval 2592000s is outside/);
  });
});

describe('credential precedence: explicit keys > RRSA > credentials file', () => {
  const RRSA = { ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/r', ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1:oidc-provider/p', ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/var/run/secrets/token' };
  it('picks keys over RRSA over a file', () => {
    const src = (env: NodeJS.ProcessEnv) => credentialSource(parseExporterConfig(yaml('', 'credentials: {file: /etc/creds.json}'), 'c.yaml', env).sls.credentials, 'c.yaml');
    expect(src({})).toEqual({ kind: 'file', file: '/etc/creds.json' });
    expect(src(RRSA)).toMatchObject({ kind: 'rrsa', rrsa: { roleArn: RRSA.ALIBABA_CLOUD_ROLE_ARN, oidcProviderArn: RRSA.ALIBABA_CLOUD_OIDC_PROVIDER_ARN, oidcTokenFile: RRSA.ALIBABA_CLOUD_OIDC_TOKEN_FILE, durationSeconds: 3600 } });
    expect(src({ ...RRSA, ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' })).toEqual({ kind: 'keys' });
    const c = parseExporterConfig(yaml('', 'credentials: {}'), 'c.yaml', { ...RRSA, ALIBABA_CLOUD_ROLE_SESSION_NAME: 'sls-exporter', ALIBABA_CLOUD_STS_ENDPOINT: 'sts-vpc.cn-hangzhou.aliyuncs.com' });
    expect(c.sls.credentials.rrsa).toMatchObject({ roleSessionName: 'sls-exporter', stsEndpoint: 'sts-vpc.cn-hangzhou.aliyuncs.com' });
  });
  it('a half-given source is an error naming what is missing', () => {
    expect(error(() => parseExporterConfig(yaml('', 'credentials: {}'), 'c.yaml', { ALIBABA_CLOUD_ROLE_ARN: 'r', ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'p' })).message).toMatch(/c\.yaml: sls\.credentials\.rrsa\.oidcTokenFile: missing; RRSA needs ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE/);
    expect(error(() => parseExporterConfig(yaml('', 'credentials: {}'), 'c.yaml', { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' })).message).toMatch(/sls\.credentials\.accessKeySecret: missing/);
    expect(error(() => parseExporterConfig(yaml('', 'credentials: {}'), 'c.yaml', {})).message).toMatch(/give accessKeyId and accessKeySecret, RRSA, or a credentials file/);
    expect(error(() => parseExporterConfig(yaml('', 'credentials: {}'), 'c.yaml', { ...RRSA, ALIBABA_CLOUD_STS_ENDPOINT: 'https://sts.example' })).message).toMatch(/rrsa\.stsEndpoint: host\[:port\], no scheme/);
  });
});

describe('the SLS endpoint and its scheme', () => {
  const withEndpoint = (e: string) => yaml('').replace('endpoint: x', `endpoint: ${JSON.stringify(e)}`);

  it('a scheme the SDK does not strip is refused where it is written (the SDK would ask http://HTTPS://…)', () => {
    for (const e of ['HTTPS://cn-hangzhou-intranet.log.aliyuncs.com', 'tcp://h:1', 'https:/h', 'https://']) {
      expect(error(() => parseExporterConfig(withEndpoint(e), 'c.yaml', {})).message, e).toMatch(/^c\.yaml:2:3: sls\.endpoint: the scheme must be https:\/\/ or http:\/\//);
    }
    expect(error(() => parseExporterConfig(yaml(''), 'c.yaml', { SLS_ENDPOINT: 'Https://h' })).message).toMatch(/c\.yaml: after environment overrides: sls\.endpoint: the scheme must be/);
  });

  it('https://, http:// and bare hosts are accepted; only a bare host that is not loopback is warned about', () => {
    const cases: [string, boolean][] = [
      ['https://cn-hangzhou-intranet.log.aliyuncs.com', false],
      ['http://cn-hangzhou-intranet.log.aliyuncs.com', false],
      ['cn-hangzhou-intranet.log.aliyuncs.com', true],
      ['fake-sls.ebbflow:8080', true],
      ['localhost:18080', false],
      ['chat.localhost:18080', false],
      ['127.0.0.1:18080', false],
    ];
    for (const [e, warned] of cases) {
      const c = parseExporterConfig(withEndpoint(e), 'c.yaml', {});
      expect(c.sls.endpoint).toBe(e);
      expect(endpointWarning(c.sls) !== undefined, e).toBe(warned);
    }
    expect(endpointWarning({ endpoint: 'cn-hangzhou-intranet.log.aliyuncs.com' })).toMatch(/plain HTTP on port 80, which the shipped NetworkPolicy does not open \(it opens 443\); write https:\/\/cn-hangzhou-intranet\.log\.aliyuncs\.com/);
    expect(endpointWarning({})).toBeUndefined();
    // The SDK would dial `<project>.[::1]`, which no resolver answers: refused at load time instead.
    expect(() => parseExporterConfig(withEndpoint('[::1]:18080'), 'c.yaml', {})).toThrow(/c\.yaml:2:3: sls\.endpoint: .*no IPv6 literal/);
  });

  it('config.example.yaml loads, states its scheme, and shows the https:// production form', async () => {
    const file = new URL('./config.example.yaml', import.meta.url).pathname;
    const c = await loadExporterConfig(file, {});
    expect(c.sls.endpoint).toMatch(/^https?:\/\//);
    expect(endpointWarning(c.sls)).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toMatch(/https:\/\/cn-hangzhou-intranet\.log\.aliyuncs\.com/);
  });
});

describe('EXPORTER_PORT', () => {
  it('sets the listen port, but a Kubernetes service link of a Service named exporter (tcp://ip:port) is not an override', () => {
    expect(parseExporterConfig(yaml(''), 'c.yaml', { EXPORTER_PORT: '9555' }).listen.port).toBe(9555);
    const fromFile = parseExporterConfig(yaml(''), 'c.yaml', {}).listen.port;
    expect(parseExporterConfig(yaml(''), 'c.yaml', { EXPORTER_PORT: 'tcp://10.96.0.7:9100' }).listen.port).toBe(fromFile);
    expect(() => parseExporterConfig(yaml(''), 'c.yaml', { EXPORTER_PORT: 'abc' })).toThrow(/listen\.port/);
  });
});
