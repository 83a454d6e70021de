import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execute, parseQuery, QueryError, type Query } from './query.ts';

/** CPU milliseconds this process spent since `c0` (all its threads). */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};

/**
 * The SQL-subset parser meets whatever an exporter config (or a hostile client) sends: random,
 * token-soup and mutated queries end in a parsed query or a QueryError (SLS's ParameterInvalid),
 * never a TypeError or a hang, and what parses executes.
 */

const VALID = [
  '* | select approx_distinct(device_id) as active_devices',
  '* | select count(*) as n',
  'app: chat and env: prod | select count(distinct device_id) as d from log where rssi >= -80 and os = \'ios\' group by region limit 10',
  "* | select region, count(1) as c where os != 'it''s' group by region",
  '*',
  'env: "prod"',
];
const TOKENS = ['select', 'count', 'approx_distinct', 'distinct', '(', ')', '*', '1', ',', 'as', 'from', 'log', 'where', 'and', 'or', 'group', 'by', 'limit',
  '=', '!=', '<>', '<', '<=', '>', '>=', "'x'", "'it''s'", '"q"', '42', '3.5', 'device_id', 'region', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '|', ':', ' ', "'", '"', '99999999999999999999999'];

const edit = fc.oneof(
  fc.record({ at: fc.nat(), del: fc.constant(0), text: fc.constantFrom(...TOKENS, '\n', '\t', '\u0000', '😀') }),
  fc.record({ at: fc.nat(), del: fc.integer({ min: 1, max: 8 }), text: fc.constant('') }),
);
const mutated = fc.tuple(fc.constantFrom(...VALID), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([base, edits]) =>
  edits.reduce((s, e) => {
    const at = e.at % (s.length + 1);
    return s.slice(0, at) + e.text + s.slice(at + e.del);
  }, base),
);
const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((ts) => `* | ${ts.join(' ')}`);
// Soup in the slots of a where clause, where words meet the operator table.
const whereSoup = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 4 }).map((ts) => `* | select count(*) as n where a ${ts.join(' ')}`);
const anyQuery = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), soup, whereSoup, mutated);

const OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);
const events = fc.array(
  fc.record({ time: fc.nat(), fields: fc.dictionary(fc.constantFrom('device_id', 'region', 'os', 'rssi', 'env', 'app'), fc.oneof(fc.string({ maxLength: 5 }), fc.integer().map(String)), { maxKeys: 6 }) }),
  { maxLength: 20 },
);

function parseOrError(q: string): Query | QueryError {
  const c0 = process.cpuUsage();
  try {
    return parseQuery(q);
  } catch (e) {
    if (!(e instanceof QueryError)) throw new Error(`${(e as Error).name} for ${JSON.stringify(q)}: ${(e as Error).message}`);
    return e;
  } finally {
    // A hang guard (catastrophic backtracking), not a speed target: CPU time, which load does not stretch.
    expect(cpuMs(c0), `CPU time for ${JSON.stringify(q)}`).toBeLessThan(1000);
  }
}

describe('fake SLS query parser (property)', () => {
  it('random, token-soup and mutated queries end in a query or a QueryError', () => {
    fc.assert(
      fc.property(anyQuery, events, (q, evs) => {
        const r = parseOrError(q);
        if (r instanceof QueryError) {
          expect(r.code).toBe('ParameterInvalid');
          return;
        }
        for (const c of r.select?.where ?? []) expect(OPS.has(c.op), `operator of ${JSON.stringify(q)}`).toBe(true);
        const rows = execute(r, evs);
        for (const row of rows) for (const v of Object.values(row)) expect(typeof v).toBe('string');
      }),
      { numRuns: 1500 },
    );
  });

  it('an operator-shaped word from Object.prototype is not an operator', () => {
    for (const w of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(parseOrError(`* | select count(*) as n where a ${w} 1`)).toBeInstanceOf(QueryError);
  });

  it('long adversarial inputs stay linear', () => {
    for (const q of [`* | select count(*) as n where a = '${"''".repeat(50_000)}`, `* | ${'( '.repeat(50_000)}`, `${'a: b and '.repeat(20_000)}a: b`]) parseOrError(q);
  });
});
