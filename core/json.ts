/**
 * JSON whose syntax errors say where, never what. V8's own messages quote the text around the
 * error ("Unexpected token 'R', "{"AccessKe"... is not valid JSON"), and the text may be a
 * credentials file or a request body: callers report a line and column instead.
 */
export type JsonResult = { ok: true; value: unknown } | { ok: false; line: number; column: number };

export function parseJsonText(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // The locator and V8 agree on what is JSON; should they ever not, the start is still a place.
    return { ok: false, ...lineColumn(text, jsonErrorOffset(text) ?? 0) };
  }
}

/** 1-based line and column of offset `at`. */
export function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: at - start + 1 };
}

type State = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'next';
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * Offset of the first character where `text` stops being JSON (RFC 8259), or undefined when it is
 * JSON. Iterative, so a deeply nested document costs an array, not the call stack.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const stack: ('{' | '[')[] = [];
  let i = 0;
  let state: State = 'value';
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  for (;;) {
    skipSpace();
    if (state === 'next' && stack.length === 0) return i < text.length ? i : undefined;
    if (i >= text.length) return i;
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if ((c === '}' && (state === 'keyOrClose' || (state === 'next' && top === '{'))) || (c === ']' && (state === 'valueOrClose' || (state === 'next' && top === '[')))) {
      stack.pop();
      i++;
      state = 'next';
    } else if (state === 'next') {
      if (c !== ',') return i;
      i++;
      state = top === '{' ? 'key' : 'value';
    } else if (state === 'colon') {
      if (c !== ':') return i;
      i++;
      state = 'value';
    } else if (state === 'key' || state === 'keyOrClose') {
      if (c !== '"') return i;
      const end = stringEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      state = 'colon';
    } else {
      const end = valueEnd(text, i, c, stack);
      if (end < 0) return -end - 1;
      i = end;
      state = c === '{' ? 'keyOrClose' : c === '[' ? 'valueOrClose' : 'next';
    }
  }
}

/** The end of a scalar (or the opening of a container, pushed on `stack`); an error at k is -(k+1). */
function valueEnd(text: string, i: number, c: string, stack: ('{' | '[')[]): number {
  if (c === '{' || c === '[') {
    stack.push(c);
    return i + 1;
  }
  if (c === '"') return stringEnd(text, i);
  if (c === '-' || (c >= '0' && c <= '9')) {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    return m ? i + m[0].length : -(i + 1);
  }
  const lit = LITERALS.find((l) => text.startsWith(l, i));
  return lit ? i + lit.length : -(i + 1);
}

/** The offset after the closing quote of the string opening at `i`; an error at k is -(k+1). */
function stringEnd(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    const code = text.charCodeAt(k);
    if (code === 0x22) return k + 1;
    if (code < 0x20) return -(k + 1);
    if (code === 0x5c) {
      const e = text[k + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(k + 2, k + 6))) return -(k + 2);
        k += 5;
      } else if (e !== undefined && ESCAPES.has(e)) k++;
      else return -(k + 2);
    }
  }
  return -(text.length + 1);
}

/**
 * Significant digits a number keeps in the JSON ebbflow writes (timeline.jsonl, results.json). A
 * double holds about 15.9: the last ones are the noise of the arithmetic (`2139.6620000000003`),
 * not data. At 12 a value moves by at most 5e-12 of itself, so a threshold comparison read back
 * from a file can only differ where the noise alone decided it.
 */
export const JSON_SIGNIFICANT_DIGITS = 12;

/** `n` without its float noise; integers and non-finite values unchanged. */
export function withoutFloatNoise(n: number): number {
  return Number.isInteger(n) || !Number.isFinite(n) ? n : Number(n.toPrecision(JSON_SIGNIFICANT_DIGITS));
}

/** A `JSON.stringify` replacer that writes every number without its float noise. */
export function noiselessNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' ? withoutFloatNoise(value) : value;
}
