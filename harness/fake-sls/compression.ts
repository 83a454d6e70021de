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

/**
 * Decodes a request body and checks it against the declared raw size; every failure is a 400. No
 * decoder may produce (or allocate) more than the declared size, itself at most MAX_RAW_BYTES:
 * deflate stops at `maxOutputLength`; lz4_flex allocates the size prefix we give it (the declared
 * size) and fails past it; zstd-wasm allocates what the frame header claims, so the header is read
 * first (zstdFrameContentSize) and a claim above the declared size is refused before the call —
 * a 22 KB frame claiming 700 MiB would otherwise grow the WebAssembly memory, for good, to 700 MiB.
 */
export async function decompress(body: Buffer, type: CompressType, rawSizeHeader: string | string[] | undefined): Promise<Buffer> {
  const declared = rawSizeHeader === undefined ? undefined : Number(Array.isArray(rawSizeHeader) ? rawSizeHeader[0] : rawSizeHeader);
  if (declared !== undefined && (!Number.isInteger(declared) || declared < 0)) throw new SlsError('InvalidBodyRawSize', `x-log-bodyrawsize "${String(rawSizeHeader)}" is not a byte count`);
  if (type !== 'none' && declared === undefined) throw new SlsError('MissingBodyRawSize', `x-log-bodyrawsize is required with x-log-compresstype ${type}`);
  if (declared !== undefined && declared > MAX_RAW_BYTES) throw new SlsError('PostBodyTooLarge', `x-log-bodyrawsize ${declared} is over the ${MAX_RAW_BYTES}-byte limit`);
  if (type === 'zstd') checkZstdClaim(body, declared!);
  let out: Buffer;
  try {
    out = await decode(body, type, declared ?? body.length);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new SlsError('InvalidBodyRawSize', `the ${type} body decompresses to more than x-log-bodyrawsize ${declared} bytes`);
    throw new SlsError('PostBodyUncompressError', `body does not decompress as ${type}: ${(e as Error).message}`);
  }
  if (declared !== undefined && out.length !== declared) throw new SlsError('InvalidBodyRawSize', `x-log-bodyrawsize ${declared} does not match the ${type === 'none' ? 'body' : `decompressed ${type} body`} (${out.length} bytes)`);
  return out;
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * The Frame_Content_Size of the zstd frame at the start of `b` (RFC 8878 3.1.1), undefined when the
 * frame leaves it out; a buffer that does not start with a zstd frame header is an Error.
 */
export function zstdFrameContentSize(b: Uint8Array): bigint | undefined {
  if (b.length < 5 || new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true) !== ZSTD_MAGIC) throw new Error('not a zstd frame (a skippable frame first is not accepted either)');
  const fhd = b[4]!;
  const singleSegment = (fhd >> 5) & 1;
  // What zstd itself refuses in a header (a reserved bit, a window past its 32-bit limit): refused
  // here too, so the library never sees a header it cannot size.
  if (fhd & 0x08) throw new Error('the zstd frame header sets a reserved bit');
  if (!singleSegment && (b.length < 6 || 10 + (b[5]! >> 3) > 30)) throw new Error('the zstd frame asks for a window larger than 1 GiB');
  const fcsFlag = fhd >> 6;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][fhd & 3]!;
  if (b.length < at + fcsBytes) throw new Error('the zstd frame header is cut short');
  let size = 0n;
  for (let i = fcsBytes - 1; i >= 0; i--) size = (size << 8n) | BigInt(b[at + i]!);
  return fcsBytes === 2 ? size + 256n : size;
}

function checkZstdClaim(body: Buffer, declared: number): void {
  let claimed: bigint | undefined;
  try {
    claimed = zstdFrameContentSize(body);
  } catch (e) {
    throw new SlsError('PostBodyUncompressError', `body does not decompress as zstd: ${(e as Error).message}`);
  }
  if (claimed !== undefined && claimed > BigInt(declared)) throw new SlsError('InvalidBodyRawSize', `the zstd frame claims ${claimed} bytes, more than x-log-bodyrawsize ${declared}; refused before decompressing`);
}

async function decode(body: Buffer, type: CompressType, rawSize: number): Promise<Buffer> {
  if (type === 'none') return body;
  if (type === 'deflate') return inflateSync(body, { maxOutputLength: Math.max(1, rawSize) });
  if (type === 'lz4') {
    // lz4_flex wants the size prefix the wire format leaves out; it allocates that and no more.
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(rawSize);
    return loadLz4().uncompressSync(Buffer.concat([prefix, body]));
  }
  // zstd-wasm allocates the frame's claimed size (checked above) or, without one, defaultHeapSize.
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
