import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { localhostAwareLookup } from '../../../exporter/index.ts';
import { UserError } from '../../../core/errors.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import { expandEnv } from './own-exporter.ts';

/**
 * Before a replay starts an exporter: every host name its SLS SDK will dial must reach this machine.
 * An SDK prefixes the project to the endpoint's host (`chat-prod.localhost`), and a stock Debian
 * resolver does not answer `*.localhost`: a team's exporter would fail every query, publish 0, and
 * the replay would run on it. The replay makes the fake SLS the process's HTTP proxy (HTTP_PROXY,
 * `components/own-exporter.ts`), so an SDK that honours it needs no name resolution; the names are
 * checked with the system resolver (`dns.lookup`, as a Python or Go SDK resolves) all the same: a
 * miss is exit 2 where the scenario's env turns the proxy off, and a warning otherwise (an SDK that
 * ignores HTTP_PROXY, like Node's, still needs them) — naming the name, the field and the fix.
 */

export type Lookup = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** SLS_ENDPOINT as the process will see it, but for the fake's port (known only once it listens). */
const DEFAULT_ENDPOINT = 'localhost:<port>';
const LOOKUP_TIMEOUT_MS = 5000;

/** The host of an SDK endpoint: `host[:port]` or `http(s)://host[:port][/…]`, IPv6 in brackets. */
export function endpointHost(endpoint: string): string {
  const rest = endpoint.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!;
  const v6 = /^\[([^\]]+)\]/.exec(rest);
  return (v6 ? v6[1]! : rest.replace(/:[^:]*$/, '')).toLowerCase();
}

/**
 * The names an SDK dials for these projects: `<project>.<host>`. An IP endpoint needs none (an SDK
 * that takes one dials the address and sends the project in the Host header, which the fake SLS
 * reads), but it must be a loopback address.
 */
export function sdkHostnames(endpoint: string, projects: string[]): { names: string[]; ip?: string } {
  const host = endpointHost(endpoint);
  if (isIP(host)) return { names: [], ip: host };
  return { names: [...new Set(projects.map((p) => `${p}.${host}`))] };
}

export const isLoopback = (address: string): boolean => /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);

/** Each name that does not resolve, or resolves to anything but loopback, with why. */
export async function unresolvedNames(names: string[], lookup: Lookup, timeoutMs = LOOKUP_TIMEOUT_MS): Promise<{ name: string; problem: string }[]> {
  const one = (name: string) =>
    new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(`the resolver did not answer within ${timeoutMs / 1000} s`), timeoutMs);
      lookup(name, { all: true }, (err, addresses) => {
        clearTimeout(timer);
        if (err) return resolve(`it does not resolve (${err.code ?? err.message})`);
        const away = addresses.map((a) => a.address).filter((a) => !isLoopback(a));
        resolve(away.length || !addresses.length ? `it resolves to ${away.join(', ') || 'nothing'}, not to this machine (127.0.0.1)` : undefined);
      });
    });
  const problems = await Promise.all(names.map(async (name) => ({ name, problem: await one(name) })));
  return problems.filter((p): p is { name: string; problem: string } => p.problem !== undefined);
}

/**
 * The endpoints a team's process is handed, each with the scenario field it comes from: its
 * SLS_ENDPOINT (the scenario's env, else the default), and every other env value that expands it
 * (`LOG_ENDPOINT: "http://${SLS_ENDPOINT}"`).
 */
export function exporterEndpoints(env: Record<string, string>): { field: string; endpoint: string }[] {
  const expand = (v: string) => expandEnv({ v }, { SLS_ENDPOINT: DEFAULT_ENDPOINT }).v!;
  const out = [{ field: env.SLS_ENDPOINT === undefined ? 'exporter.command (started with SLS_ENDPOINT=localhost:<port>)' : 'exporter.env.SLS_ENDPOINT', endpoint: expand(env.SLS_ENDPOINT ?? DEFAULT_ENDPOINT) }];
  for (const [key, value] of Object.entries(env)) if (key !== 'SLS_ENDPOINT' && value.includes('${SLS_ENDPOINT}')) out.push({ field: `exporter.env.${key}`, endpoint: DEFAULT_ENDPOINT });
  return out;
}

/** Whether the process keeps the fake SLS as its HTTP proxy: the scenario's env does not replace HTTP_PROXY or fill NO_PROXY. */
export function keepsProxy(env: Record<string, string>): boolean {
  const proxy = ['HTTP_PROXY', 'http_proxy'].every((k) => env[k] === undefined || env[k] === `\${${k}}`);
  const bypass = ['NO_PROXY', 'no_proxy'].some((k) => (env[k] ?? '') !== '');
  return proxy && !bypass;
}

/**
 * Whether the replay's exporter may start: a team's process (scenario `exporter:`) checked with the
 * system resolver, ebbflow's own with its agent's lookup. Returns warnings to print; throws exit 2.
 */
export async function preflightExporter(plan: { scenario: Pick<Scenario, 'file' | 'exporter'>; exporterConfig: { metrics: { project: string }[] } }, lookups: { system?: Lookup; own?: Lookup } = {}): Promise<string[]> {
  const s = plan.scenario;
  const projects = plan.exporterConfig.metrics.map((m) => m.project);
  if (!s.exporter) {
    const bad = await unresolvedNames(sdkHostnames(DEFAULT_ENDPOINT, projects).names, lookups.own ?? (localhostAwareLookup as unknown as Lookup));
    if (bad.length) throw new UserError(`ebbflow's exporter cannot reach the fake SLS: ${bad.map((b) => `${b.name}: ${b.problem}`).join('; ')}`, 'this is a bug in ebbflow: please report it with this message');
    return [];
  }
  const proxied = keepsProxy(s.exporter.env);
  const warnings: string[] = [];
  for (const { field, endpoint } of exporterEndpoints(s.exporter.env)) {
    const { names, ip } = sdkHostnames(endpoint, projects);
    if (ip !== undefined && !isLoopback(ip)) throw new UserError(`${s.file}: ${field}: the exporter would query ${ip}, not the fake SLS on this machine`, 'give it ${SLS_ENDPOINT}');
    const bad = await unresolvedNames(names, lookups.system ?? (systemLookup as unknown as Lookup));
    if (!bad.length) continue;
    const what = `${s.file}: ${field}: the exporter's SLS SDK will dial ${bad.map((b) => b.name).join(', ')} (<project>.<endpoint host>), but on this machine ${bad.map((b) => `${b.name}: ${b.problem}`).join('; ')}`;
    const hosts = `add to /etc/hosts ${bad.map((b) => `"127.0.0.1 ${b.name}"`).join(', ')}`;
    if (!proxied) throw new UserError(`${what}, and the scenario's env turns off the replay's HTTP proxy: its queries would fail, it would publish nothing or 0, and the replay would run on that`, `${hosts}; or leave HTTP_PROXY and NO_PROXY to the replay (the fake SLS is then the exporter's proxy, which the Python SDK's requests and Go's default net/http transport honour)`);
    warnings.push(`${what}: the exporter reaches the fake SLS only if its HTTP client honours HTTP_PROXY (the Python SDK's requests and Go's default net/http transport do, Node's http does not); if the warm-up then fails, ${hosts}`);
  }
  return warnings;
}
