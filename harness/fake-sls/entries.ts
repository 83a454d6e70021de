import { SlsError } from './errors.ts';

/**
 * How many objects a body would become, counted on its bytes before it is parsed. A body is capped
 * in bytes, but its objects cost far more than its bytes: 31 MB of `{},` in a WebTracking body
 * (unsigned, open to anyone) became 10.8 million events, 3.4 GB and 55 s. The k6 fleet of events
 * mode sends at most about 25,000 logs in one POST (8 VUs, 200,000 devices), the SDKs' producers
 * 4,096 per LogGroup.
 */
export const MAX_ENTRIES = 300_000;

const COMMA = 0x2c;
const COLON = 0x3a;
const BRACKET = 0x5b;
const BRACE = 0x7b;

/**
 * An upper bound of the values in a JSON text: every value but the first follows a `,`, a `:` or an
 * opening bracket, so counting those bytes (in strings too) never undercounts.
 */
export function jsonValueBound(b: Uint8Array): number {
  let n = 1;
  for (const c of b) if (c === COMMA || c === COLON || c === BRACKET || c === BRACE) n++;
  return n;
}

/** Calls `each(field, wireType, start, end)` for the fields of a protobuf message in b[from, to); stops at the first malformed one. */
function fields(b: Uint8Array, from: number, to: number, each: (field: number, wire: number, start: number, end: number) => void): void {
  const varint = (i: number): [number, number] | undefined => {
    let v = 0;
    for (let shift = 0; shift < 35 && i < to; shift += 7) {
      const byte = b[i++]!;
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return [v, i];
    }
    return undefined;
  };
  for (let i = from; i < to; ) {
    const tag = varint(i);
    if (!tag) return;
    const [key, at] = tag;
    const wire = key & 7;
    let end: number;
    if (wire === 0) end = varint(at)?.[1] ?? to + 1;
    else if (wire === 1) end = at + 8;
    else if (wire === 5) end = at + 4;
    else if (wire === 2) {
      const len = varint(at);
      if (!len) return;
      end = len[1] + len[0];
      if (end > to) return;
      each(Math.floor(key / 8), wire, len[1], end);
      i = end;
      continue;
    } else return;
    if (end > to) return;
    each(Math.floor(key / 8), wire, at, end);
    i = end;
  }
}

/** Logs, their contents and the group's tags in an encoded LogGroup (sls.proto: Logs = 1, Log.Contents = 2, LogTags = 6). */
export function logGroupEntries(b: Uint8Array): number {
  let n = 0;
  fields(b, 0, b.length, (field, wire, start, end) => {
    n++;
    if (field === 1 && wire === 2) fields(b, start, end, (f) => void (f === 2 && n++));
  });
  return n;
}

export function checkEntries(count: number, what: string): void {
  if (count > MAX_ENTRIES) throw new SlsError('PostBodyTooLarge', `${what} holds more than ${MAX_ENTRIES} logs and fields; send it in smaller batches`);
}
