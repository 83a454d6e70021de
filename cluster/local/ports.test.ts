import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { PORT_OPTIONS, PORT_RANGE, choosePorts, portIsFree, reservationHolds, reservePorts } from './ports.ts';
import { waitUntil, WaitGaveUp } from '../../core/wait.ts';

describe('choosing a cluster\'s ports', () => {
  it('gives each of kwokctl\'s port options a distinct port, skipping taken and busy ones', async () => {
    const busy = new Set([25_001, 25_003]);
    const ports = await choosePorts({ taken: new Set([25_000, 25_004]), isFree: async (p) => !busy.has(p), start: 25_000 });
    expect(Object.keys(ports).sort()).toEqual([...PORT_OPTIONS].sort());
    expect(Object.values(ports)).toEqual([25_002, 25_005, 25_006, 25_007, 25_008, 25_009]);
  });

  it('keeps a fixed port and never hands it out again', async () => {
    const ports = await choosePorts({ taken: new Set(), isFree: async () => true, start: 25_000, fixed: { kubeApiserverPort: 25_001 } });
    expect(ports.kubeApiserverPort).toBe(25_001);
    expect(new Set(Object.values(ports)).size).toBe(PORT_OPTIONS.length);
  });

  it('wraps at the top of the range and fails when nothing is left', async () => {
    const ports = await choosePorts({ taken: new Set(), isFree: async () => true, start: PORT_RANGE.max - 1 });
    expect(Object.values(ports)).toEqual([PORT_RANGE.max - 1, PORT_RANGE.max, PORT_RANGE.min, PORT_RANGE.min + 1, PORT_RANGE.min + 2, PORT_RANGE.min + 3]);
    await expect(choosePorts({ taken: new Set(), isFree: async () => false, start: PORT_RANGE.min })).rejects.toThrow(/no free port left/);
  });

  it('counts a reservation only while the process that made it runs (a reused pid does not keep it)', () => {
    const r = { cluster: 'c', pid: 42, startTime: 1000, ports: [1] };
    expect(reservationHolds(r, () => 1000)).toBe(true);
    expect(reservationHolds(r, () => 2000)).toBe(false);
    expect(reservationHolds(r, () => undefined)).toBe(false);
  });

  it('sees a port something listens on as busy', async () => {
    const srv: Server = await new Promise((res) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => res(s));
    });
    const port = (srv.address() as { port: number }).port;
    expect(await portIsFree(port)).toBe(false);
    await new Promise((r) => srv.close(r));
    expect(await portIsFree(port)).toBe(true);
  });

  it('gives starts at the same moment disjoint ports, and a released reservation frees them', async () => {
    const rs = await Promise.all(Array.from({ length: 4 }, (_, i) => reservePorts(`ports-test-${process.pid}-${i}`, `c${i}`)));
    try {
      const all = rs.flatMap((r) => Object.values(r.ports));
      expect(new Set(all).size).toBe(all.length);
    } finally {
      rs.forEach((r) => r.release());
    }
  });
});

describe('waitUntil', () => {
  it('ends at once when the condition gives up, other errors only count as not yet', async () => {
    let n = 0;
    const t0 = Date.now();
    await expect(
      waitUntil('x', 10_000, async () => {
        if (++n < 3) throw new Error('not yet');
        throw new WaitGaveUp('its process exited');
      }, undefined, 10),
    ).rejects.toThrow('its process exited');
    expect(n).toBe(3);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
