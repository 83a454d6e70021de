import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { compress, sign, startFakeSls, type CompressType, type FakeSls } from './index.ts';
import { MAX_RAW_BYTES } from './compression.ts';

/** CPU milliseconds this process spent since `c0` (all its threads). */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};

/**
 * The fake SLS's decoders under arbitrary input — protobuf LogGroups, lz4, zstd and deflate bodies
 * (well-formed, mutated, or lying about their size) and WebTracking JSON — sent over HTTP as PutLogs
 * (signed) and WebTracking (unsigned): each answer is a 200 or a 4xx, comes quickly, the server's
 * memory stays bounded, and no answer or log line repeats a planted value from the body.
 */

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs') as { loadSync(p: string): { lookupType(n: string): { encode(m: object): { finish(): Uint8Array } } } };
const LogGroup = protobuf.loadSync(require.resolve('@alicloud/log/lib/sls.proto')).lookupType('sls.LogGroup');

const MARK = 'PLANTED';
const planted = fc.stringMatching(/^[A-Za-z0-9_.-]{4,16}$/).map((s) => `${MARK}${s}`);
const text = fc.oneof(planted, fc.string({ maxLength: 12 }));

const logGroup = fc
  .record({
    Topic: fc.option(text, { nil: undefined }),
    Source: fc.option(text, { nil: undefined }),
    Logs: fc.array(fc.record({ Time: fc.integer({ min: 0, max: 2 ** 31 - 1 }), Contents: fc.array(fc.record({ Key: text, Value: text }), { maxLength: 4 }) }), { maxLength: 8 }),
    LogTags: fc.array(fc.record({ Key: text, Value: text }), { maxLength: 2 }),
  })
  .map((g) => Buffer.from(LogGroup.encode(g).finish()));

const wellFormedTracking = fc.record({ __topic__: text, __source__: text, __tags__: fc.dictionary(text, text, { maxKeys: 2 }), __logs__: fc.array(fc.dictionary(text, fc.oneof(text, fc.integer(), fc.constant(null)), { maxKeys: 3 }), { maxLength: 6 }) }, { requiredKeys: ['__logs__'] }).map((o) => JSON.stringify(o));
const otherTracking = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), planted.map((s) => `{"__logs__": [{"k": ${s}}]}`));

/** Flip, cut or insert bytes: what a broken client or an attacker sends instead. */
const mutate = (body: fc.Arbitrary<Buffer>) =>
  fc.tuple(body, fc.array(fc.record({ at: fc.nat(), del: fc.integer({ min: 0, max: 8 }), ins: fc.uint8Array({ maxLength: 4 }) }), { maxLength: 3 })).map(([b, edits]) =>
    edits.reduce((acc, e) => {
      const at = e.at % (acc.length + 1);
      return Buffer.concat([acc.subarray(0, at), Buffer.from(e.ins), acc.subarray(at + e.del)]);
    }, b),
  );

/** A zstd frame header with arbitrary flags and claimed size, then arbitrary bytes. */
const zstdHeader = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.uint8Array({ maxLength: 64 })).map(([fhd, size, rest]) => {
  const fcs = Buffer.alloc(8);
  fcs.writeBigUInt64LE(size);
  return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, fhd, 0x38]), fcs, Buffer.from(rest)]);
});

const codec = fc.constantFrom<CompressType>('lz4', 'zstd', 'deflate', 'none');

/** A body as sent: compressed with `codec`, announced as `claim` (mostly the same), with a raw size that is right or not; or junk. */
interface Sample {
  route: 'putlogs' | 'track';
  raw: Buffer;
  /** The raw body is a well-formed LogGroup or WebTracking document (undefined: a mutation, may be either). */
  valid: boolean | undefined;
  codec: CompressType;
  honest: boolean;
  claim: CompressType;
  junk: Buffer | undefined;
  size: 'exact' | 'plus1' | 'max' | 'over' | 'zero' | 'none';
}

const sample: fc.Arbitrary<Sample> = fc.constantFrom<Sample['route']>('putlogs', 'track').chain((route) =>
  fc.record({
    route: fc.constant(route),
    doc: route === 'putlogs'
      ? fc.oneof(logGroup.map((b) => ({ raw: b, valid: true as boolean | undefined })), mutate(logGroup).map((b) => ({ raw: b, valid: undefined })))
      : fc.oneof(
          wellFormedTracking.map((t) => ({ raw: Buffer.from(t), valid: true as boolean | undefined })),
          otherTracking.map((t) => ({ raw: Buffer.from(t), valid: undefined })),
          mutate(wellFormedTracking.map((t) => Buffer.from(t))).map((b) => ({ raw: b, valid: undefined })),
        ),
    codec,
    honest: fc.constantFrom(true, true, true, false),
    claim: codec,
    junk: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.oneof(zstdHeader, fc.uint8Array({ maxLength: 128 }).map((a) => Buffer.from(a))), weight: 1 }),
    size: fc.constantFrom<Sample['size']>('exact', 'exact', 'exact', 'plus1', 'max', 'over', 'zero', 'none'),
  }).map(({ doc, ...rest }) => ({ ...rest, ...doc })),
);

function rawSize(s: Sample): string | undefined {
  const n = s.raw.length;
  return { exact: String(n), plus1: String(n + 1), max: String(MAX_RAW_BYTES), over: String(MAX_RAW_BYTES + 1), zero: '0', none: undefined }[s.size];
}

describe('fake SLS decoders (property, over HTTP)', () => {
  let sls: FakeSls;
  let log = '';
  beforeAll(async () => {
    const logger = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => ((log += c.toString()), cb()) }));
    sls = await startFakeSls({ credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }], projects: { 'chat-prod': ['w'] }, logger, maxEvents: 100_000 });
  });
  afterAll(() => sls.stop());

  function post(s: { route: Sample['route']; claim: CompressType; body: Buffer; rawSize: string | undefined }): Promise<{ status: number; body: string }> {
    const path = s.route === 'putlogs' ? '/logstores/w/shards/lb' : '/logstores/w/track';
    const h: Record<string, string> = { 'content-type': s.route === 'putlogs' ? 'application/x-protobuf' : 'application/json', 'x-log-apiversion': '0.6.0', ...(s.claim !== 'none' ? { 'x-log-compresstype': s.claim } : {}), ...(s.rawSize !== undefined ? { 'x-log-bodyrawsize': s.rawSize } : {}) };
    if (s.route === 'putlogs') {
      Object.assign(h, { date: new Date().toUTCString(), 'x-log-signaturemethod': 'hmac-sha1', 'content-md5': createHash('md5').update(s.body).digest('hex').toUpperCase() });
      h.authorization = sign({ verb: 'POST', path, query: {}, headers: h }, 'ak', 'sk');
    }
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: sls.port, method: 'POST', path, headers: { host: `chat-prod.localhost:${sls.port}`, ...h } }, (res) => {
        let b = '';
        res.setEncoding('utf8').on('data', (d: string) => (b += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      });
      req.on('error', reject);
      req.end(s.body);
    });
  }

  it('every body ends in a 200 or a 4xx, quickly, in bounded memory, repeating no planted value', async () => {
    const rss = process.memoryUsage().rss;
    let peak = rss;
    const seen = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(sample, async (v) => {
        // Honest: compressed with the codec the header names; else with another, or junk.
        const claim = v.honest ? v.codec : v.claim;
        const body = v.junk ?? (await compress(v.raw, v.codec));
        const c0 = process.cpuUsage();
        const r = await post({ route: v.route, claim, body, rawSize: rawSize(v) });
        // A hang guard (a decompression bomb), not a speed target: CPU time, which load does not stretch.
        expect(cpuMs(c0)).toBeLessThan(3000);
        expect(r.status === 200 || (r.status >= 400 && r.status < 500), `${r.status} ${r.body}`).toBe(true);
        expect(r.body).not.toContain(MARK);
        // A well-formed document, compressed as announced with its true size, is taken.
        if (v.valid === true && v.honest && !v.junk && v.size === 'exact') {
          expect(r.status, r.body).toBe(200);
          seen.ok++;
        } else if (r.status !== 200) seen.refused++;
        peak = Math.max(peak, process.memoryUsage().rss);
      }),
      { numRuns: 400 },
    );
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
    expect(log).not.toContain(MARK);
    // Each decoder stops at the declared size (at most MAX_RAW_BYTES), so a run grows by a few of those at most.
    expect(peak - rss).toBeLessThan(3 * MAX_RAW_BYTES + 100 * 1024 * 1024);
  }, 120_000);
});
