import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonErrorOffset, lineColumn, parseJsonText } from './json.ts';

const valid = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

const BITS = ['{', '}', '[', ']', ',', ':', '"', '\\', '\\u12', '\\x', '\n', ' ', '-', '1', '1.', 'e', 'tru', 'null', '\u0001', 'x'];
const mutatedJson = fc.tuple(fc.jsonValue().map((v) => JSON.stringify(v, null, 1)), fc.array(fc.record({ at: fc.nat(), del: fc.integer({ min: 0, max: 3 }), text: fc.constantFrom(...BITS) }), { maxLength: 4 })).map(([s, edits]) =>
  edits.reduce((t, e) => {
    const at = e.at % (t.length + 1);
    return t.slice(0, at) + e.text + t.slice(at + e.del);
  }, s),
);

describe('JSON errors located without quoting the text', () => {
  it('points at the first character that is not JSON, on its line and column', () => {
    const text = '{\n  "AccessKeyId": "id",\n  "AccessKeySecret": REAL-SECRET-VALUE-42\n}';
    expect(jsonErrorOffset(text)).toBe(text.indexOf('REAL'));
    expect(parseJsonText(text)).toEqual({ ok: false, line: 3, column: 22 });
    expect(parseJsonText('{"a": [1, 2,]}')).toEqual({ ok: false, line: 1, column: 13 });
    expect(parseJsonText('{"a": "unterminated')).toEqual({ ok: false, line: 1, column: 20 });
    expect(parseJsonText('')).toEqual({ ok: false, line: 1, column: 1 });
    expect(parseJsonText('{"a": 1} x')).toEqual({ ok: false, line: 1, column: 10 });
    expect(parseJsonText(' {"a": [1, {"b": null}], "c": "\\u00e9\\n"} ')).toEqual({ ok: true, value: { a: [1, { b: null }], c: 'é\n' } });
    expect(lineColumn('a\nbc\n', 3)).toEqual({ line: 2, column: 2 });
  });

  it('agrees with JSON.parse on what is JSON (random and mutated documents)', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedJson, fc.string({ maxLength: 40 }), fc.jsonValue().map((v) => JSON.stringify(v))), (t) => {
        const at = jsonErrorOffset(t);
        expect(at === undefined).toBe(valid(t));
        if (at !== undefined) expect(at >= 0 && at <= t.length).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes deep nesting without the call stack', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(jsonErrorOffset(deep)).toBeUndefined();
    expect(jsonErrorOffset(`${'{"a":'.repeat(100_000)}1`)).toBe(500_001);
  });
});

describe('numbers without float noise', () => {
  it('drops the last digits of arithmetic noise and keeps everything a value means', async () => {
    const { withoutFloatNoise, noiselessNumbers } = await import('./json.ts');
    expect(withoutFloatNoise(2139.6620000000003)).toBe(2139.662);
    expect(withoutFloatNoise(0.1 + 0.2)).toBe(0.3);
    expect(withoutFloatNoise(86.01108033240997)).toBe(86.0110803324);
    expect(withoutFloatNoise(1767594600000)).toBe(1767594600000);
    expect(withoutFloatNoise(1.5e-9 + 1e-24)).toBe(1.5e-9);
    expect(withoutFloatNoise(-0.000123456789012345)).toBe(-0.000123456789012);
    expect(withoutFloatNoise(Number.NaN)).toBeNaN();
    expect(JSON.stringify({ a: [1.1 * 3, 'x', 7], b: { c: 2139.6620000000003 } }, noiselessNumbers)).toBe('{"a":[3.3,"x",7],"b":{"c":2139.662}}');
  });

  it('moves no value by more than 5e-12 of itself', async () => {
    const { withoutFloatNoise } = await import('./json.ts');
    for (let i = 1; i < 2000; i++) {
      const x = (i * 1.37) / 7 + i * 1e-7;
      expect(Math.abs(withoutFloatNoise(x) - x)).toBeLessThanOrEqual(5e-12 * Math.abs(x));
    }
  });
});
