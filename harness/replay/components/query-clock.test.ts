import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createReplayClock } from '../../clock/replay-clock.ts';
import { QueryClockProxyComponent, rewriteQueryTime, virtualSecondAsWall } from './query-clock.ts';

describe('the query-clock proxy (KEDA prometheus trigger on the virtual clock)', () => {
  it('maps the last whole virtual second back to the wall: at k=60 a virtual second is 1/60 wall s', () => {
    // 750 virtual ms past a whole second = 12.5 wall ms at k=60.
    expect(virtualSecondAsWall(1_000_000, 5_000_750, 60)).toBeCloseTo((1_000_000 - 12.5) / 1000, 9);
    // On a whole virtual second: the wall now itself.
    expect(virtualSecondAsWall(2_000_000, 7_000_000, 60)).toBe(2000);
    // At k=1 it is KEDA's own truncation.
    expect(virtualSecondAsWall(1_000_400, 9_000_400, 1)).toBe(1000);
  });

  it('rewrites only an instant query that names its time', () => {
    expect(rewriteQueryTime('/api/v1/query?query=max(active_devices)&time=2026-12-08T01:00:00Z', () => 1234.5)).toBe('/api/v1/query?query=max%28active_devices%29&time=1234.500');
    expect(rewriteQueryTime('/api/v1/query?query=up', () => 1)).toBe('/api/v1/query?query=up');
    expect(rewriteQueryTime('/api/v1/query_range?query=up&time=x', () => 1)).toBe('/api/v1/query_range?query=up&time=x');
  });

  let upstream: Server | undefined;
  let proxy: QueryClockProxyComponent | undefined;
  afterEach(async () => {
    await proxy?.stop();
    await new Promise<void>((r) => (upstream ? upstream.close(() => r()) : r()));
  });

  it('forwards to Prometheus with the virtual second as the query time, and the answer back as it came', async () => {
    const seen: string[] = [];
    upstream = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success"}');
    });
    const srv = upstream;
    const port = await new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)));
    let wall = 10_000_000;
    const clock = createReplayClock({ k: 60, windowStartsMs: [1_767_594_600_000], wallNow: () => wall });
    clock.enter(0);
    wall += 1010; // 60.6 virtual s into the window: 600 ms past a whole virtual second
    proxy = new QueryClockProxyComponent(() => ({ target: `http://127.0.0.1:${port}`, clock }));
    await proxy.start();
    const res = await fetch(`${proxy.get()}/api/v1/query?query=up&time=2026-01-05T06:31:00Z`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"status":"success"}');
    const time = Number(new URL(seen[0]!, 'http://x').searchParams.get('time'));
    // The proxy read Date.now(), not the test's wall: only the sub-second offset is the clock's.
    expect(Date.now() / 1000 - time).toBeGreaterThanOrEqual(0.6 / 60 - 0.001);
    expect(Date.now() / 1000 - time).toBeLessThan(5);
    expect((await fetch(`${proxy.get()}/api/v1/labels`)).status).toBe(200);
    expect(seen[1]).toBe('/api/v1/labels');
  });
});
