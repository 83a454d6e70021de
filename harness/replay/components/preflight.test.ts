import { describe, expect, it } from 'vitest';
import { endpointHost, exporterEndpoints, keepsProxy, preflightExporter, sdkHostnames, unresolvedNames, type Lookup } from './preflight.ts';

const plan = (env?: Record<string, string>) => ({
  scenario: { file: 'team/scenario.yaml', ...(env ? { exporter: { command: ['python3', 'exporter.py'], env, metricsUrl: 'http://127.0.0.1:9/metrics', startTimeoutSeconds: 30 } } : {}) },
  exporterConfig: { metrics: [{ project: 'chat-prod' }, { project: 'chat-prod' }, { project: 'billing' }] },
});
/** A resolver that knows only these names. */
const fixed = (table: Record<string, string[]>): Lookup => (name, _o, cb) => {
  const a = table[name];
  setImmediate(() => (a ? cb(null, a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))) : cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }), [])));
};

describe('the names an SLS SDK dials', () => {
  it('is <project>.<host> of the endpoint, none for an IP endpoint', () => {
    expect(endpointHost('localhost:18080')).toBe('localhost');
    expect(endpointHost('https://cn-hangzhou.log.aliyuncs.com/')).toBe('cn-hangzhou.log.aliyuncs.com');
    expect(endpointHost('[::1]:9')).toBe('::1');
    expect(sdkHostnames('localhost:1', ['a', 'a', 'b'])).toEqual({ names: ['a.localhost', 'b.localhost'] });
    expect(sdkHostnames('http://127.0.0.1:1', ['a'])).toEqual({ names: [], ip: '127.0.0.1' });
  });

  it('finds every endpoint the process is handed, with the field it comes from', () => {
    expect(exporterEndpoints({})).toEqual([{ field: 'exporter.command (started with SLS_ENDPOINT=localhost:<port>)', endpoint: 'localhost:<port>' }]);
    expect(exporterEndpoints({ SLS_ENDPOINT: 'sls.invalid:1', PORT: '9' })).toEqual([{ field: 'exporter.env.SLS_ENDPOINT', endpoint: 'sls.invalid:1' }]);
    expect(exporterEndpoints({ LOG_ENDPOINT: 'http://${SLS_ENDPOINT}/x' })).toEqual([
      { field: 'exporter.command (started with SLS_ENDPOINT=localhost:<port>)', endpoint: 'localhost:<port>' },
      { field: 'exporter.env.LOG_ENDPOINT', endpoint: 'localhost:<port>' },
    ]);
  });

  it("keeps the replay's proxy unless the scenario's env replaces HTTP_PROXY or fills NO_PROXY", () => {
    expect(keepsProxy({})).toBe(true);
    expect(keepsProxy({ HTTP_PROXY: '${HTTP_PROXY}', NO_PROXY: '' })).toBe(true);
    expect(keepsProxy({ HTTP_PROXY: '' })).toBe(false);
    expect(keepsProxy({ http_proxy: 'http://proxy.corp:3128' })).toBe(false);
    expect(keepsProxy({ no_proxy: 'localhost' })).toBe(false);
  });

  it('a name that does not resolve, resolves elsewhere, or hangs is named with why', async () => {
    const hang: Lookup = () => {};
    expect(await unresolvedNames(['a.localhost', 'b.localhost', 'c.localhost'], fixed({ 'a.localhost': ['127.0.0.1', '::1'], 'b.localhost': ['10.0.0.7'] }))).toEqual([
      { name: 'b.localhost', problem: 'it resolves to 10.0.0.7, not to this machine (127.0.0.1)' },
      { name: 'c.localhost', problem: 'it does not resolve (ENOTFOUND)' },
    ]);
    expect(await unresolvedNames(['x'], hang, 50)).toEqual([{ name: 'x', problem: 'the resolver did not answer within 0.05 s' }]);
  });
});

describe('preflightExporter', () => {
  const refused = (p: Promise<unknown>) => p.then(() => undefined, (x: unknown) => x as Error & { hint?: string });

  it('a team exporter whose names resolve to loopback starts with nothing to say', async () => {
    expect(await preflightExporter(plan({ PORT: '9' }), { system: fixed({ 'chat-prod.localhost': ['127.0.0.1'], 'billing.localhost': ['::1'] }) })).toEqual([]);
  });

  it('names that do not resolve, with the proxy turned off by the scenario, are exit 2: the name, the field, /etc/hosts', async () => {
    const e = await refused(preflightExporter(plan({ LOG_ENDPOINT: '${SLS_ENDPOINT}', HTTP_PROXY: '' }), { system: fixed({ 'billing.localhost': ['127.0.0.1'] }) }));
    expect(e).toMatchObject({ name: 'UserError' });
    expect(e!.message).toMatch(/^team\/scenario\.yaml: exporter\.command \(started with SLS_ENDPOINT=localhost:<port>\): the exporter's SLS SDK will dial chat-prod\.localhost .*chat-prod\.localhost: it does not resolve \(ENOTFOUND\), and the scenario's env turns off the replay's HTTP proxy/);
    expect(e!.message).not.toContain('billing.localhost:');
    expect(e!.hint).toContain('add to /etc/hosts "127.0.0.1 chat-prod.localhost"');
  });

  it('with the proxy kept, the same names are a warning (an SDK that ignores HTTP_PROXY still needs them)', async () => {
    const w = await preflightExporter(plan({ PORT: '9' }), { system: fixed({}) });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/will dial chat-prod\.localhost, billing\.localhost .*only if its HTTP client honours HTTP_PROXY .*add to \/etc\/hosts "127\.0\.0\.1 chat-prod\.localhost", "127\.0\.0\.1 billing\.localhost"/);
  });

  it('with the system resolver, a name under .invalid (never resolvable) is refused', async () => {
    const e = await refused(preflightExporter(plan({ SLS_ENDPOINT: 'fake-sls.invalid:18080', NO_PROXY: '*' })));
    expect(e).toMatchObject({ name: 'UserError' });
    expect(e!.message).toMatch(/exporter\.env\.SLS_ENDPOINT: the exporter's SLS SDK will dial chat-prod\.fake-sls\.invalid, billing\.fake-sls\.invalid/);
  });

  it('an IP endpoint that is not this machine is refused', async () => {
    await expect(preflightExporter(plan({ SLS_ENDPOINT: '10.1.2.3:80' }))).rejects.toThrow(/exporter\.env\.SLS_ENDPOINT: the exporter would query 10\.1\.2\.3, not the fake SLS/);
  });

  it("ebbflow's own exporter is checked with its agent's lookup (which answers *.localhost)", async () => {
    expect(await preflightExporter(plan())).toEqual([]);
    await expect(preflightExporter(plan(), { own: fixed({}) })).rejects.toThrow(/ebbflow's exporter cannot reach the fake SLS: chat-prod\.localhost: it does not resolve/);
  });
});
