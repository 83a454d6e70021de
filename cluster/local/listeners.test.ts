import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { decodeProcAddress, isLoopback, listenersOf, parseProcNetTcp } from './listeners.ts';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 335 1 0000000008d582db 100 0 0 10 0
   1: 0100007F:7FFD 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4711 1 0000000008d582db 100 0 0 10 0
   2: 0100007F:D4CA 0100007F:7FFD 06 00000000:00000000 03:00001069 00000000     0        0 0 3 00000000882cca84
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:7FFD 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 51 1 0
   1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 52 1 0
   2: 0000000000000000FFFF00000100007F:7FFD 0000000000000000FFFF00000100007F:970A 06 00000000:00000000 03:00000974 00000000     0        0 0 3 0
`;

describe('listening sockets from /proc', () => {
  it('decodes IPv4, IPv6 and IPv4-mapped addresses as /proc writes them (little-endian words)', () => {
    expect(decodeProcAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000')).toBe('0.0.0.0');
    expect(decodeProcAddress('0101A8C0')).toBe('192.168.1.1');
    expect(decodeProcAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeProcAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeProcAddress('000080FE00000000FF4E42020A2F9EFE')).toBe('fe80::242:4eff:fe9e:2f0a');
  });

  it('keeps only sockets in LISTEN state, with port and inode', () => {
    expect(parseProcNetTcp(TCP)).toEqual([
      { address: '0.0.0.0', port: 2024, inode: 335 },
      { address: '127.0.0.1', port: 32765, inode: 4711 },
    ]);
    expect(parseProcNetTcp(TCP6)).toEqual([
      { address: '::', port: 32765, inode: 51 },
      { address: '::1', port: 80, inode: 52 },
    ]);
  });

  it('loopback is 127/8, ::1 and ::ffff:127/104; the wildcard and other addresses are not', () => {
    for (const a of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '172.17.0.1', '::ffff:10.0.0.1', 'fe80::1']) expect(isLoopback(a), a).toBe(false);
  });

  it.runIf(process.platform === 'linux')('maps this process\'s own listening sockets to its pid', async () => {
    const listen = (host: string) => new Promise<Server>((r) => { const s = createServer(); s.listen(0, host, () => r(s)); });
    const [lo, any] = await Promise.all([listen('127.0.0.1'), listen('0.0.0.0')]);
    try {
      const mine = listenersOf([process.pid]);
      const port = (s: Server) => (s.address() as { port: number }).port;
      expect(mine).toContainEqual(expect.objectContaining({ pid: process.pid, address: '127.0.0.1', port: port(lo) }));
      expect(mine).toContainEqual(expect.objectContaining({ pid: process.pid, address: '0.0.0.0', port: port(any) }));
      expect(listenersOf([2 ** 22 + 1])).toEqual([]);
    } finally {
      lo.close();
      any.close();
    }
  });
});
