import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { startFakeSls, type FakeSls } from './index.ts';

/**
 * The fake SLS against the official SDKs users run: the Python SDK (PyPI) and the Go SDK (module
 * proxy), both installed by `ebbflow toolchain install`. Each client program takes a list of ops
 * and answers one result per op, SDK errors included, so one process covers a whole scenario.
 */

interface Op {
  op: 'put' | 'getLogs' | 'histograms' | 'listLogstores';
  project?: string;
  logstore?: string;
  [k: string]: unknown;
}
interface Result {
  ok: boolean;
  code?: string;
  httpCode?: number;
  message?: string;
  logs?: Record<string, string>[];
  count: number;
  progress?: string;
  histograms?: number[];
  logstores?: string[];
}

const PY_CLIENT = fileURLToPath(new URL('./clients/python/sls_client.py', import.meta.url));
const AK = { accessKeyId: 'sdk-ak', accessKeySecret: 'sdk-secret' };
const LOGSTORES = ['lz4', 'zstd', 'none', 'hashed', 'errors'];

const clients = [
  { name: 'Python SDK', binary: 'sls-python', args: [PY_CLIENT], codecs: ['lz4', 'zstd', 'none'] },
  { name: 'Go SDK', binary: 'sls-go-client', args: [], codecs: ['lz4', 'zstd', 'none'] },
] as const;

describe.each(clients)('$name against the fake SLS', ({ binary, args, codecs, name }) => {
  let sls: FakeSls;
  let bin: string;
  const t = Math.floor(Date.now() / 1000);
  const run = async (ops: Op[], creds: object = AK): Promise<Result[]> => {
    const r = await execa(bin, [...args], { input: JSON.stringify({ endpoint: sls.endpoint, ...creds, ops }), timeout: 120_000 });
    const out = JSON.parse(r.stdout) as Result[];
    expect(out).toHaveLength(ops.length);
    return out;
  };
  const target = (logstore: string) => ({ project: 'chat-prod', logstore });
  const window = { from: t - 60, to: t + 5 };

  beforeAll(async () => {
    bin = (await ensureBinaries([binary]))[binary]!;
    sls = await startFakeSls({ credentials: [AK], projects: { 'chat-prod': LOGSTORES } });
  }, 600_000);
  afterAll(() => sls?.stop());

  it('writes with each compression and reads the devices back with SQL and search', async () => {
    const puts: Op[] = codecs.map((c) => ({
      op: 'put', ...target(c), compress: c, time: t, topic: 'hb', source: name, tags: { zone: 'cn-hangzhou-i' },
      // Computed keys: a literal `__proto__:` would set the prototype, not a field.
      logs: [{ device_id: `${c}-1`, constructor: 'c', ['__proto__']: 'p' }, { device_id: `${c}-2` }, { device_id: `${c}-2` }],
    }));
    const put = await run(puts);
    expect(put.map((r) => [r.ok, r.code])).toEqual(codecs.map(() => [true, undefined]));
    const sql = await run(codecs.map((c) => ({ op: 'getLogs', ...target(c), ...window, query: '* | select approx_distinct(device_id) as devices, count(*) as n' })));
    for (const r of sql) expect(r.logs?.map((l) => [l.devices, l.n])).toEqual([['2', '3']]);
    const [search] = await run([{ op: 'getLogs', ...target('lz4'), ...window, query: 'constructor: c' }]);
    expect(search!.logs).toEqual([expect.objectContaining({ device_id: 'lz4-1', constructor: 'c', ['__proto__']: 'p', __topic__: 'hb', '__tag__:zone': 'cn-hangzhou-i' })]);
    expect(search!.progress).toBe('Complete');
  });

  it('writes by hash key (/shards/route) and counts with GetHistograms', async () => {
    const [put] = await run([{ op: 'put', ...target('hashed'), compress: 'lz4', hashKey: '0123456789abcdef0123456789abcdef', time: t - 30, logs: [{ device_id: 'a' }, { device_id: 'b' }] }]);
    expect(put!.ok).toBe(true);
    const [h] = await run([{ op: 'histograms', ...target('hashed'), ...window, query: '*' }]);
    expect(h!.count).toBe(2);
    expect(h!.histograms!.reduce((a, b) => a + b, 0)).toBe(2);
    expect(h!.progress).toBe('Complete');
  });

  it('lists the logstores of a project', async () => {
    const [r] = await run([{ op: 'listLogstores', project: 'chat-prod' }]);
    expect(r!.logstores).toEqual(LOGSTORES);
  });

  it('answers client errors with the SLS code and a 4xx status', async () => {
    const q = { op: 'getLogs' as const, ...window, query: '*' };
    const rs = await run([
      { ...q, ...target('errors'), accessKeyId: 'nobody', accessKeySecret: 'x' },
      { ...q, ...target('errors'), accessKeyId: AK.accessKeyId, accessKeySecret: 'tampered' },
      { ...q, ...target('errors'), query: '* | select median(device_id)' },
      { ...q, ...target('missing') },
      { ...q, project: 'no-such-project', logstore: 'errors' },
    ]);
    expect(rs.map((r) => [r.code, r.httpCode])).toEqual([
      ['Unauthorized', 401],
      ['SignatureNotMatch', 401],
      ['ParameterInvalid', 400],
      ['LogStoreNotExist', 404],
      ['ProjectNotExist', 404],
    ]);
    expect(rs[0]!.message).toBe('AccessKeyId not found: nobody');
  });
});

describe('Python SDK GetLogs v1 (GET ?type=log)', () => {
  it('reads what it wrote through the v1 route too', async () => {
    const bin = (await ensureBinaries(['sls-python']))['sls-python']!;
    const sls = await startFakeSls({ credentials: [AK] });
    try {
      const t = Math.floor(Date.now() / 1000);
      const ops = [
        { op: 'put', project: 'chat-prod', logstore: 'device-heartbeat', time: t, logs: [{ device_id: 'x' }, { device_id: 'y' }] },
        { op: 'getLogs', api: 'v1', project: 'chat-prod', logstore: 'device-heartbeat', from: t - 10, to: t + 5, query: '* | select count(distinct device_id) as d' },
      ];
      const r = await execa(bin, [PY_CLIENT], { input: JSON.stringify({ endpoint: sls.endpoint, ...AK, ops }), timeout: 120_000 });
      const [put, get] = JSON.parse(r.stdout) as Result[];
      expect(put!.ok).toBe(true);
      expect(get!.logs).toEqual([expect.objectContaining({ d: '2' })]);
    } finally {
      await sls.stop();
    }
  }, 600_000);
});
