import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { UserError } from '../core/errors.ts';
import { parseExporterConfig, type ExporterConfig } from './config.ts';

/** CPU milliseconds this process spent since `c0` (all its threads). */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};

/**
 * The exporter reads its config from a ConfigMap someone edits by hand: random, mutated and
 * plausible configs (and environment overrides) end in a config or a UserError, never a TypeError.
 */

const EXAMPLE = readFileSync(fileURLToPath(new URL('./config.example.yaml', import.meta.url)), 'utf8');
const BITS = [':', ' ', '-', '[', ']', '{', '}', ',', '"', "'", '&a', '*a', '\n', '  ', '#', '0', '-1', '0ms', '1e400', '.nan', '.inf', '15q', 'null', '~', '<<: *a', '[]', '{}'];
const edit = fc.oneof(
  fc.record({ at: fc.nat(), del: fc.constant(0), text: fc.constantFrom(...BITS) }),
  fc.record({ at: fc.nat(), del: fc.integer({ min: 1, max: 10 }), text: fc.constant('') }),
);
const mutated = fc.array(edit, { minLength: 1, maxLength: 5 }).map((edits) =>
  edits.reduce((s, e) => {
    const at = e.at % (s.length + 1);
    return s.slice(0, at) + e.text + s.slice(at + e.del);
  }, EXAMPLE),
);
const dur = fc.oneof(fc.constantFrom('1m', '15s', '250ms', '0s', '-1s', 'soon', 0, -1, 1e308, Number.NaN), fc.double());
const plausible = fc
  .record({
    sls: fc.record({ endpoint: fc.constantFrom('localhost:18080', '', 'http://x'), region: fc.constantFrom('cn-hangzhou', 'CN', undefined), credentials: fc.record({ accessKeyId: fc.constantFrom('ak', ''), accessKeySecret: fc.constantFrom('sk', ''), file: fc.constantFrom('/x.json', undefined) }, { requiredKeys: [] }) }, { requiredKeys: [] }),
    listen: fc.record({ port: fc.constantFrom(0, 9464, 70000, -1, 1.5), renderCache: dur }, { requiredKeys: [] }),
    metrics: fc.array(
      fc.record({ name: fc.constantFrom('a', 'a', '1bad'), project: fc.constantFrom('chat-prod', 'X'), logstore: fc.constantFrom('device-heartbeat', ''), query: fc.constantFrom('*', ''), valueColumn: fc.constant('v'), window: dur, interval: dur, timeout: dur, maxStaleness: dur, retries: fc.constantFrom(0, 2, 11, -1) }, { requiredKeys: ['name', 'project', 'logstore', 'query', 'valueColumn'] }),
      { maxLength: 3 },
    ),
  }, { requiredKeys: [] })
  .map((o) => stringify(o));
const env = fc.dictionary(fc.constantFrom('SLS_ENDPOINT', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_CREDENTIALS_FILE', 'EXPORTER_PORT'), fc.constantFrom('', 'x', '9464', 'abc', '-1', '99999'));
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.anything().map((v) => String(stringify(v) ?? '')), mutated, plausible);

describe('exporter config parser (property)', () => {
  it('random, mutated and plausible configs end in a config or a UserError', () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyText, env, (text, e) => {
        const c0 = process.cpuUsage();
        let c: ExporterConfig;
        try {
          c = parseExporterConfig(text, 'exporter.yaml', e);
        } catch (err) {
          if (!(err instanceof UserError)) throw new Error(`${(err as Error).name} for ${JSON.stringify(text)} env ${JSON.stringify(e)}: ${(err as Error).message}`);
          expect(err.message).toContain('exporter.yaml');
          return;
        } finally {
          // A hang guard, not a speed target: CPU time, which a loaded machine does not stretch.
          expect(cpuMs(c0)).toBeLessThan(2000);
        }
        accepted++;
        expect(c.metrics.length).toBeGreaterThan(0);
        expect(Number.isInteger(c.listen.port) && c.listen.port >= 0 && c.listen.port <= 65_535).toBe(true);
        for (const m of c.metrics) expect(m.interval > 0 && m.maxStaleness >= m.interval && Number.isFinite(m.timeout)).toBe(true);
      }),
      { numRuns: 600 },
    );
    expect(accepted).toBeGreaterThan(5);
  });
});
