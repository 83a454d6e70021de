import { createRequire } from 'node:module';
import { deflateSync, inflateSync } from 'node:zlib';
import { SlsError } from './errors.ts';

/**
 * The body codecs SLS clients use (`x-log-compresstype` on requests, `Accept-Encoding` for
 * responses): lz4 *block* format without the size prefix (the size travels in `x-log-bodyrawsize`),
 * zstd frames, zlib deflate, or none. Node 20's zlib has neither lz4 nor zstd, so lz4 comes from
 * lz4-napi (lz4_flex, prebuilt per platform) and zstd from @bokuweb/zstd-wasm (no native build).
 */
export type CompressType = 'lz4' | 'zstd' | 'deflate' | 'none';

/** Decompressed bodies above this are refused before allocation (SLS caps PutLogs at 10 MB raw). */
export const MAX_RAW_BYTES = 64 * 1024 * 1024;

const require = createRequire(import.meta.url);
interface Lz4 {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Uint8Array): Buffer;
}
interface Zstd {
  init(): Promise<void>;
  compress(buf: Uint8Array, level?: number): Uint8Array;
  decompress(buf: Uint8Array, opts?: { defaultHeapSize: number }): Uint8Array;
}
let lz4: Lz4 | undefined;
let zstd: Promise<Zstd> | undefined;
const loadLz4 = (): Lz4 => (lz4 ??= require('lz4-napi') as Lz4);
function loadZstd(): Promise<Zstd> {
  zstd ??= (async () => {
    const z = require('@bokuweb/zstd-wasm') as Zstd;
    await z.init();
    return z;
  })();
  return zstd;
}

/** `x-log-compresstype` → codec; an unknown name is the client's error. */
export function parseCompressType(header: string | string[] | undefined): CompressType {
  const v = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase() ?? '';
  if (v === '' || v === 'none') return 'none';
  if (v === 'lz4' || v === 'zstd' || v === 'deflate') return v;
  throw new SlsError('InvalidCompressType', `x-log-compresstype "${v}" is not supported: use lz4, zstd, deflate or none`);
}

/** The first codec of an `Accept-Encoding` list this server can produce, or none. */
export function responseEncoding(accept: string | string[] | undefined): CompressType {
  const list = (Array.isArray(accept) ? accept.join(',') : (accept ?? '')).split(',').map((s) => s.split(';')[0]!.trim().toLowerCase());
  return (list.find((e) => e === 'lz4' || e === 'zstd' || e === 'deflate') as CompressType | undefined) ?? 'none';
}

/** Decodes a request body and checks it against the declared raw size; every failure is a 400. */
export async function decompress(body: Buffer, type: CompressType, rawSizeHeader: string | string[] | undefined): Promise<Buffer> {
  const declared = rawSizeHeader === undefined ? undefined : Number(Array.isArray(rawSizeHeader) ? rawSizeHeader[0] : rawSizeHeader);
  if (declared !== undefined && (!Number.isInteger(declared) || declared < 0)) throw new SlsError('InvalidBodyRawSize', `x-log-bodyrawsize "${String(rawSizeHeader)}" is not a byte count`);
  if (type !== 'none' && declared === undefined) throw new SlsError('MissingBodyRawSize', `x-log-bodyrawsize is required with x-log-compresstype ${type}`);
  if (declared !== undefined && declared > MAX_RAW_BYTES) throw new SlsError('PostBodyTooLarge', `x-log-bodyrawsize ${declared} is over the ${MAX_RAW_BYTES}-byte limit`);
  let out: Buffer;
  try {
    out = await decode(body, type, declared ?? body.length);
  } catch (e) {
    throw new SlsError('PostBodyUncompressError', `body does not decompress as ${type}: ${(e as Error).message}`);
  }
  if (declared !== undefined && out.length !== declared) throw new SlsError('InvalidBodyRawSize', `x-log-bodyrawsize ${declared} does not match the ${type === 'none' ? 'body' : `decompressed ${type} body`} (${out.length} bytes)`);
  return out;
}

async function decode(body: Buffer, type: CompressType, rawSize: number): Promise<Buffer> {
  if (type === 'none') return body;
  if (type === 'deflate') return inflateSync(body, { maxOutputLength: MAX_RAW_BYTES });
  if (type === 'lz4') {
    // lz4_flex wants the size prefix the wire format leaves out.
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(rawSize);
    return loadLz4().uncompressSync(Buffer.concat([prefix, body]));
  }
  const z = await loadZstd();
  return Buffer.from(z.decompress(body, { defaultHeapSize: Math.max(rawSize, 1) }));
}

/** Encodes a response body; the caller sends `x-log-compresstype` and `x-log-bodyrawsize`. */
export async function compress(body: Buffer, type: CompressType): Promise<Buffer> {
  if (type === 'none') return body;
  if (type === 'deflate') return deflateSync(body);
  if (type === 'lz4') return loadLz4().compressSync(body).subarray(4);
  return Buffer.from((await loadZstd()).compress(body, 1));
}
