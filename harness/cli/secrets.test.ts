import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startFakeSls, type FakeSls } from '../fake-sls/index.ts';
import { loadExporterConfig, startExporter, type PollEvent } from '../../exporter/index.ts';
import { pullCurve } from '../pull/pull.ts';

/**
 * Every command that reads credentials — `ebbflow exporter --config`, `ebbflow curve pull --config`,
 * the image's entry, and the library functions behind them — through every error path a credential
 * can take, each case with its own distinctive secret planted: in a credentials file (INI, JSON, a
 * file that is not one at all), in the config, in the environment, in the endpoint, behind a key SLS
 * refuses, behind an STS that fails. Whatever the command prints (stdout, stderr, its pino log) may
 * name files, lines and fields, and a key id's first 4 characters, never a planted value.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ebbflow-secrets-'));
const at = (name: string) => join(dir, name);
let sls: FakeSls;

/** A planted secret and key id per case: distinctive, so a hit names its case. */
const planted = (tag: string) => ({ secret: `PLANTED-${tag}-SECRET-7f3a9c`, id: `LTAI5tPLANTED${tag.replace(/\W/g, '')}ID`, token: `PLANTED-${tag}-TOKEN-c9a3f7` });

interface Case {
  name: string;
  /** The `credentials:` value of the config, and the endpoint (default the fake's). */
  credentials: string;
  endpoint?: string;
  env?: Record<string, string>;
  /** Config text instead of the template (a YAML error near a secret). */
  config?: string;
  /** Files to write before the case runs. */
  files?: Record<string, string>;
  /** The exporter starts and this poll error code shows the failure (else it exits 2 at once). */
  runtime?: string;
  /** What must not appear besides the planted values (e.g. /etc/shadow's first line). */
  alsoSecret?: string[];
}

const metric = 'metrics:\n  - {name: m, project: chat-prod, logstore: device-heartbeat, query: "* | select count(*) as n", valueColumn: n, interval: 200ms, timeout: 1s, maxStaleness: 5s, retries: 0}\nlisten: {host: 127.0.0.1}\n';
const template = (c: Case) => c.config ?? `sls:\n  endpoint: "${c.endpoint ?? sls.endpoint}"\n  credentials: ${c.credentials}\n${metric}`;

function cases(): Case[] {
  const p = planted;
  const shadow = '/etc/shadow';
  const shadowLine = existsSync(shadow) ? (() => {
    try {
      return readFileSync(shadow, 'utf8').split('\n')[0]!;
    } catch {
      return undefined;
    }
  })() : undefined;
  const fifo = at('fifo');
  if (!existsSync(fifo)) execFileSync('mkfifo', [fifo]);
  const list: Case[] = [
    { name: 'ini-colon', credentials: `{file: ${at('colon.ini')}}`, files: { 'colon.ini': `[default]\naccess_key_id = ${p('ini-colon').id}\naccess_key_secret: ${p('ini-colon').secret}\n` } },
    { name: 'ini-stray', credentials: `{file: ${at('stray.ini')}}`, files: { 'stray.ini': `[default]\naccess_key_id = ${p('ini-stray').id}\n${p('ini-stray').secret}\n` } },
    { name: 'ini-type', credentials: `{file: ${at('type.ini')}}`, files: { 'type.ini': `[default]\ntype = ${p('ini-type').secret}\naccess_key_id = ${p('ini-type').id}\n` } },
    { name: 'shadow-like', credentials: `{file: ${at('shadow')}}`, files: { shadow: `root:${p('shadow-like').secret}:19000:0:99999:7:::\n` } },
    { name: 'json-bare', credentials: `{file: ${at('bare.json')}}`, files: { 'bare.json': `{\n  "AccessKeyId": "${p('json-bare').id}",\n  "AccessKeySecret": ${p('json-bare').secret}\n}\n` } },
    { name: 'json-cut', credentials: `{file: ${at('cut.json')}}`, files: { 'cut.json': `{"AccessKeyId": "${p('json-cut').id}", "AccessKeySecret": "${p('json-cut').secret}` } },
    { name: 'json-type', credentials: `{file: ${at('type.json')}}`, files: { 'type.json': `{"AccessKeyId": "${p('json-type').id}", "AccessKeySecret": 9876543210987654, "SecurityToken": ["${p('json-type').token}"]}` }, alsoSecret: ['9876543210987654'] },
    { name: 'fifo', credentials: `{file: ${fifo}}` },
    { name: 'yaml-quote', credentials: '', config: `sls:\n  endpoint: localhost:1\n  credentials:\n    accessKeyId: ${p('yaml-quote').id}\n    accessKeySecret: "${p('yaml-quote').secret}\n${metric}` },
    { name: 'yaml-nested', credentials: `{accessKeyId: ${p('yaml-nested').id}, accessKeySecret: ${p('yaml-nested').secret}: x}` },
    { name: 'yaml-type', credentials: `{accessKeyId: [${p('yaml-type').id}], accessKeySecret: {s: ${p('yaml-type').secret}}}` },
    { name: 'endpoint-password', credentials: `{accessKeyId: ${p('endpoint-password').id}, accessKeySecret: ${p('endpoint-password').secret}}`, endpoint: `http://user:${p('endpoint-password').token}@sls.example.com` },
    { name: 'env-endpoint', credentials: '{}', env: { SLS_ENDPOINT: `http://u:${p('env-endpoint').token}@127.0.0.1:1`, ALIBABA_CLOUD_ACCESS_KEY_ID: p('env-endpoint').id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: p('env-endpoint').secret } },
    { name: 'env-half', credentials: '{}', env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: p('env-half').secret, ALIBABA_CLOUD_SECURITY_TOKEN: p('env-half').token } },
    { name: 'refused-key', credentials: `{accessKeyId: ${p('refused-key').id}, accessKeySecret: ${p('refused-key').secret}, securityToken: ${p('refused-key').token}}`, runtime: 'Unauthorized' },
    { name: 'wrong-secret', credentials: `{accessKeyId: ebbflow-test-ak, accessKeySecret: ${p('wrong-secret').secret}}`, runtime: 'SignatureNotMatch' },
    { name: 'rrsa-sts-down', credentials: '{}', files: { token: `${p('rrsa-sts-down').token}\n` }, env: { ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/r', ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1:oidc-provider/p', ALIBABA_CLOUD_OIDC_TOKEN_FILE: at('token'), ALIBABA_CLOUD_STS_ENDPOINT: '127.0.0.1:1' }, runtime: 'StsError' },
  ];
  if (shadowLine && shadowLine.length > 12) list.push({ name: 'etc-shadow', credentials: `{file: ${shadow}}`, alsoSecret: [shadowLine, shadowLine.split(':')[1]!].filter((s) => s.length > 8) });
  return list;
}

/**
 * What a case must never print: any part of a planted value (every one holds "PLANTED"; a key id
 * may show its first 4 characters, "LTAI****", never what follows), the planted number, and the
 * case's own extras (e.g. /etc/shadow's first line).
 */
function forbidden(c: Case): string[] {
  return ['PLANTED', '98765432', ...(c.alsoSecret ?? [])];
}

function prepare(c: Case): { config: string; env: Record<string, string> } {
  for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(at(name), text);
  const config = at(`${c.name}.yaml`);
  writeFileSync(config, template(c));
  return { config, env: c.env ?? {} };
}

interface Output {
  code: number | null;
  text: string;
}

/** A command as its own process; with `until`, SIGTERM once stderr matches it (the exporter runs until stopped). */
function runProcess(args: string[], env: Record<string, string>, until?: RegExp): Promise<Output> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, EBBFLOW_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const take = (d: Buffer) => {
      text += d.toString();
      if (until?.test(text) && p.exitCode === null) p.kill('SIGTERM');
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, text });
    });
  });
}

/** At most `n` at a time: the machine is small and each process loads TypeScript. */
async function limited<T>(n: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

const expectClean = (where: string, c: Case, text: string) => {
  for (const s of forbidden(c)) expect(text.includes(s), `${where} [${c.name}] printed a planted secret (${s}):\n${text}`).toBe(false);
};

beforeAll(async () => {
  sls = await startFakeSls({ curve: () => 5 });
});
afterAll(async () => {
  await sls.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('no command that reads credentials prints a secret', () => {
  it('ebbflow exporter --config, ebbflow curve pull --config and the image entry, every error path', async () => {
    const all = cases();
    const jobs = all.flatMap((c) => {
      const { config, env } = prepare(c);
      const until = c.runtime ? new RegExp(`"code":"${c.runtime}"`) : undefined;
      const exporter = () => runProcess(['bin/ebbflow.js', 'exporter', '--config', config, '--port', '0'], env, until).then((o) => ({ c, what: 'ebbflow exporter', o }));
      const pull = () => runProcess(['bin/ebbflow.js', 'curve', 'pull', '--config', config, '--metric', 'm', '--from', 'now-10m', '--out', at(`${c.name}.csv`)], env).then((o) => ({ c, what: 'ebbflow curve pull', o }));
      const image = () => runProcess(['--import', 'tsx', 'exporter/main.ts', '--config', config], { EXPORTER_PORT: '0', ...env }, until).then((o) => ({ c, what: 'exporter/main.ts', o }));
      return ['ini-colon', 'json-bare', 'endpoint-password', 'refused-key'].includes(c.name) ? [exporter, pull, image] : [exporter, pull];
    });
    const results = await limited(4, jobs);
    for (const { c, what, o } of results) {
      expectClean(what, c, o.text);
      if (c.runtime && what !== 'ebbflow curve pull') {
        // It ran and failed a poll, which is the path under test: the log line is there.
        expect(o.text, `${what} [${c.name}]`).toContain(`"code":"${c.runtime}"`);
      } else {
        expect(o.code, `${what} [${c.name}]:\n${o.text}`).toBe(2);
        expect(o.text, `${what} [${c.name}]`).toMatch(/error: /);
        expect(o.text, `${what} [${c.name}]`).not.toMatch(/\n\s+at /);
      }
    }
    // The refused key is named as SLS named it, masked.
    const refused = results.filter((r) => r.c.name === 'refused-key');
    for (const r of refused) expect(r.o.text, r.what).toContain('AccessKeyId not found: LTAI****');
  }, 300_000);

  it('loadExporterConfig, startExporter (its pino log) and pullCurve, every error path', async () => {
    for (const c of cases()) {
      const { config, env } = prepare(c);
      let text = '';
      const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _e, cb) => ((text += chunk.toString()), cb()) }));
      const say = (e: unknown) => (text += `\n${(e as Error).message}\n${(e as { hint?: string }).hint ?? ''}`);
      try {
        const cfg = await loadExporterConfig(config, env);
        const polled = new Promise<PollEvent>((resolve) => {
          void startExporter(cfg, { host: '127.0.0.1', port: 0, processMetrics: false, env, logger, onPoll: resolve })
            .then(async (exp) => {
              await polled;
              await exp.stop();
            })
            .catch((e: unknown) => {
              say(e);
              resolve({ metric: 'm', outcome: 'error', attempts: 0, at: 0 });
            });
        });
        await polled;
      } catch (e) {
        say(e);
      }
      await pullCurve({ config, env, metric: 'm', from: 'now-10m', to: 'now', step: '1m', out: at(`${c.name}-lib.csv`), version: 'test', retry: { attempts: 1, baseMs: 1, maxMs: 1 } }).catch(say);
      expectClean('library', c, text);
    }
  }, 120_000);
});

describe('the last resort (describeUserError) never echoes the JSON it could not parse', () => {
  it.each(['{"AccessKeySecret": PLANTED-SECRET}', 'PLANTED-SECRET', '{"AccessKeySecret": "x" PLANTED-SECRET}'])('%s', async (text) => {
    const { describeUserError } = await import('./main.ts');
    let err: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      err = e;
    }
    const d = describeUserError(err);
    expect(d?.message).toMatch(/^invalid JSON: .*\(the text is not shown\)$/);
    expect(d?.message).not.toContain('PLANTED');
  });
});
