import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../core/errors.ts';
import { parseExporterConfig } from './config.ts';
import { parseCredentialsFile } from './credentials-file.ts';
import { openCredentials } from './sls-client.ts';

/** CPU milliseconds this process spent since `c0` (all its threads). */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};

/**
 * Credentials files and variables as a careless or hostile hand writes them — INI, JSON and the
 * environment, planted with secrets in every position a value can take, then mutated: each ends in
 * credentials or a UserError, quickly, and no error message holds any part of a planted value.
 */

const dir = mkdtempSync(join(tmpdir(), 'ebf-credprop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Every planted value holds this; a message holding it leaked (part of) a secret. Planted values are
 * as long as real ones (AccessKey ids have 24 characters, secrets 30): the parser may list short
 * profile names, which no key is.
 */
const MARK = 'PLANTED';
const secret = fc.tuple(fc.constantFrom('', 'LTAI5t', 'STS.', '"', "'", ' ', '#', '=', ':', '[', ']', '{', '}', '\\'), fc.stringMatching(/^[A-Za-z0-9+/=_.-]{13,23}$/)).map(([pre, tail]) => `${pre}${MARK}${tail}`);
const KEYS = ['type', 'access_key_id', 'access_key_secret', 'security_token', 'role_arn', 'unknown_key', 'AccessKeySecret'];
const iniLine = fc.oneof(
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(' = ', '=', ': ', ' ', ' := ', ' == '), secret).map(([k, sep, v]) => `${k}${sep}${v}`),
  fc.tuple(fc.constantFrom(...KEYS), secret).map(([k, v]) => `${k} = "${v}"`),
  fc.constantFrom('[default]', '[prod]', 'type = access_key', 'type = ram_role_arn', '# comment', '; comment', '', '[', ']', '[]', '=', ' = x'),
  secret,
  secret.map((s) => `[${s}]`),
  secret.map((s) => `${s} = ${s}`),
);
const ini = fc.tuple(fc.array(iniLine, { maxLength: 12 }), fc.constantFrom('\n', '\r\n')).map(([ls, eol]) => ls.join(eol));

const jsonValue = fc.oneof(secret, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(secret, { maxLength: 2 }), fc.dictionary(secret, secret, { maxKeys: 2 }));
const jsonDoc = fc.tuple(fc.dictionary(fc.oneof(fc.constantFrom('AccessKeyId', 'accessKeyId', 'AccessKeySecret', 'accessKeySecret', 'SecurityToken', 'Expiration'), secret), jsonValue, { maxKeys: 5 }), fc.constantFrom(0, 2)).map(([o, indent]) => JSON.stringify(o, null, indent));
const BITS = ['{', '}', '"', ',', ':', '[', ']', '\\', '\n', ' ', 'x', '\u0000'];
const mutate = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, fc.array(fc.record({ at: fc.nat(), del: fc.integer({ min: 0, max: 4 }), ins: fc.constantFrom(...BITS) }), { maxLength: 4 })).map(([t, edits]) =>
    edits.reduce((s, e) => {
      const at = e.at % (s.length + 1);
      return s.slice(0, at) + e.ins + s.slice(at + e.del);
    }, t),
  );
const anyFile = fc.oneof(ini, mutate(ini), jsonDoc, mutate(jsonDoc), secret);

const clean = (e: unknown) => {
  if (!(e instanceof UserError)) throw new Error(`not a UserError: ${String(e)}`);
  expect(`${e.message}\n${e.hint ?? ''}`).not.toContain(MARK);
};

describe('credentials files and variables (property)', () => {
  it('INI and JSON files: credentials or a UserError that shows no planted value', () => {
    const heap = process.memoryUsage().heapUsed;
    let accepted = 0;
    fc.assert(
      fc.property(anyFile, fc.constantFrom('default', 'prod'), (text, profile) => {
        const c0 = process.cpuUsage();
        try {
          const c = parseCredentialsFile(text, 'creds', profile);
          expect(c.accessKeyId && c.accessKeySecret).toBeTruthy();
          accepted++;
        } catch (e) {
          clean(e);
        }
        // A hang guard, not a speed target: CPU time, which a loaded machine does not stretch.
        expect(cpuMs(c0)).toBeLessThan(1000);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(200 * 1024 * 1024);
  });

  it('the environment (keys, RRSA, a credentials file it names): a provider or a UserError that shows no planted value', () => {
    const file = join(dir, 'creds');
    // Secrets where secrets go; the RRSA names are not secret and are echoed by design. Each source
    // alone, half-given, or mixed with the others.
    const keys = fc.record({ ALIBABA_CLOUD_ACCESS_KEY_ID: secret, ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret, ALIBABA_CLOUD_SECURITY_TOKEN: secret }, { requiredKeys: [] });
    const rrsa = fc.record({ ALIBABA_CLOUD_ROLE_ARN: fc.constant('acs:ram::1:role/r'), ALIBABA_CLOUD_OIDC_PROVIDER_ARN: fc.constant('acs:ram::1:oidc-provider/p'), ALIBABA_CLOUD_STS_ENDPOINT: fc.constantFrom('sts.example.com', 'https://x') }, { requiredKeys: [] });
    const endpoint = fc.record({ SLS_ENDPOINT: fc.oneof(secret.map((s) => `http://u:${s}@h`), secret.map((s) => `h/${s}`), fc.constant('127.0.0.1:18080')) }, { requiredKeys: [] });
    const vars = fc.oneof(fc.constant({}), keys, rrsa, fc.tuple(keys, rrsa).map(([a, b]) => ({ ...a, ...b }))).chain((v) => endpoint.map((e) => ({ ...v, ...e }) as Record<string, string>));
    const yaml = 'sls:\n  region: cn-hangzhou\n  credentials: {}\nmetrics:\n  - {name: m, project: p1x, logstore: l1x, query: "*", valueColumn: v}\n';
    fc.assert(
      fc.property(vars, fc.boolean(), fc.boolean(), anyFile, fc.constantFrom('default', 'prod'), (env, withFile, withToken, content, profile) => {
        writeFileSync(file, content);
        writeFileSync(join(dir, 'token'), content);
        const e: NodeJS.ProcessEnv = { ...env, ALIBABA_CLOUD_PROFILE: profile, ...(withFile ? { ALIBABA_CLOUD_CREDENTIALS_FILE: file } : {}), ...(withToken ? { ALIBABA_CLOUD_OIDC_TOKEN_FILE: join(dir, 'token') } : {}) };
        try {
          const c = parseExporterConfig(yaml, 'exporter.yaml', e);
          expect(openCredentials(c.sls.credentials, e).describe()).not.toContain(MARK);
        } catch (err) {
          clean(err);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
