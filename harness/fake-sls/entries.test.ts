import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { startFakeSls } from './index.ts';
import { jsonValueBound, logGroupEntries, MAX_ENTRIES } from './entries.ts';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs') as { loadSync(p: string): { lookupType(n: string): { encode(m: object): { finish(): Uint8Array } } } };
const LogGroup = protobuf.loadSync(require.resolve('@alicloud/log/lib/sls.proto')).lookupType('sls.LogGroup');

/** Values of a parsed JSON document, the root included. */
const values = (v: unknown): number => 1 + (Array.isArray(v) ? v.reduce((a: number, x) => a + values(x), 0) : v !== null && typeof v === 'object' ? Object.values(v).reduce((a: number, x) => a + values(x), 0) : 0);

describe('entries counted before parsing', () => {
  it('the JSON bound never undercounts', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonValueBound(Buffer.from(JSON.stringify(v)))).toBeGreaterThanOrEqual(values(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('counts a LogGroup\'s logs, contents and other fields exactly, and stops at malformed bytes', () => {
    const text = fc.string({ maxLength: 5 });
    fc.assert(
      fc.property(fc.array(fc.record({ Time: fc.nat(), Contents: fc.array(fc.record({ Key: text, Value: text }), { maxLength: 5 }) }), { maxLength: 10 }), fc.array(fc.record({ Key: text, Value: text }), { maxLength: 3 }), (logs, tags) => {
        const b = LogGroup.encode({ Topic: 't', Logs: logs, LogTags: tags }).finish();
        expect(logGroupEntries(b)).toBe(1 + logs.length + logs.reduce((a, l) => a + l.Contents.length, 0) + tags.length);
      }),
      { numRuns: 500 },
    );
    expect(logGroupEntries(Buffer.from([0x0a, 0xff, 0xff]))).toBe(0);
  });

  it('an unsigned WebTracking body of millions of empty logs is refused before parsing; a fleet-sized one is taken', async () => {
    const sls = await startFakeSls({});
    try {
      const post = (body: Buffer) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const q = request({ host: '127.0.0.1', port: sls.port, method: 'POST', path: '/logstores/device-heartbeat/track', headers: { host: `chat-prod.localhost:${sls.port}`, 'content-type': 'application/json' } }, (res) => {
            let b = '';
            res.setEncoding('utf8').on('data', (d: string) => (b += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
          });
          q.on('error', reject);
          q.end(body);
        });
      const n = Math.floor((31 * 1024 * 1024 - 20) / 3);
      const bomb = Buffer.from(`{"__logs__":[${'{},'.repeat(n - 1)}{}]}`);
      const rss = process.memoryUsage().rss;
      const t0 = performance.now();
      const r = await post(bomb);
      expect(r.status).toBe(413);
      expect(r.body).toContain(`more than ${MAX_ENTRIES} logs and fields`);
      expect(performance.now() - t0).toBeLessThan(10_000); // taken whole, it ran 55 s and 3.4 GB
      expect(process.memoryUsage().rss - rss).toBeLessThan(300 * 1024 * 1024);
      const fleet = Buffer.from(JSON.stringify({ __topic__: 'heartbeat', __logs__: Array.from({ length: 25_000 }, (_, i) => ({ device_id: `dev-${i}` })) }));
      expect(await post(fleet)).toMatchObject({ status: 200 });
      expect(sls.stats().ingested).toBe(25_000);
    } finally {
      await sls.stop();
    }
  }, 60_000);
});
