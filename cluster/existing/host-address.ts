import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { UserError } from '../../core/errors.ts';

const isLoopback = (a: string) => /^127\./.test(a) || a === '::1' || a === 'localhost';

/**
 * The address of this machine the cluster's pods (and its API server's aggregator) can reach: the
 * fake SLS and, without a cluster adapter, prometheus-adapter listen there. The source address this
 * machine uses towards the API server is the best guess (the way back is the way in); an API server
 * on loopback (a port-forward, a kind cluster) says nothing, so the first IPv4 address of a non-
 * loopback interface is taken: containers on this machine reach it through their bridge. Pure:
 * `routeSource` is what the kernel chose, if anything.
 */
export function pickHostAddress(serverHost: string, routeSource: string | undefined, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string | undefined {
  if (!isLoopback(serverHost) && routeSource && !isLoopback(routeSource)) return routeSource;
  const candidates = Object.values(interfaces).flatMap((l) => l ?? []).filter((i) => !i.internal && i.family === 'IPv4' && !isLoopback(i.address));
  return candidates[0]?.address;
}

/** The local address the kernel picks to reach host:port (a UDP connect sends nothing). */
function routeSourceTo(host: string, port: number): Promise<string | undefined> {
  if (!isIP(host)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const s = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    s.on('error', () => {
      s.close();
      resolve(undefined);
    });
    s.connect(port, host, () => {
      const a = s.address().address;
      s.close();
      resolve(a);
    });
  });
}

export async function detectHostAddress(server: string): Promise<string> {
  const u = new URL(server);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const found = pickHostAddress(host, await routeSourceTo(host, Number(u.port || 443)), networkInterfaces());
  if (!found) throw new UserError(`cannot tell at which address the cluster at ${server} reaches this machine`, 'give it with --host-address (an address of this machine the cluster\'s pods can connect to)');
  return found;
}
