/**
 * Fake SLS throughput and memory. First, ingest through the real @alicloud/log SDK (PutLogs,
 * protobuf LogGroups of 4,096 events, a few requests in flight; client encoding and signing share
 * this process, so the figure is a floor for the server) and distinct-count queries through the SDK.
 * Then the two stores side by side on the same events — the object store (one object per event) and
 * the columnar store (the server's default): memory per event, append rate, and the time of each
 * query over a window holding every device (default 1,000,000 devices). Figures only; nothing
 * asserts a time. Two heartbeats per device by default: a device beating every 30 s shows twice in
 * the one-minute window of `exporter/config.example.yaml`.
 *
 *   npm run bench:fake-sls -- [devices=1000000] [heartbeats per device in the window=2] [queries=10] [devices through the SDK=100000]
 *   npm run bench:fake-sls -- --baseline REF [--rounds 5] [devices]   (append only: this checkout's columnar store against REF's, side by side)
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HeaderObservingAgent } from '../../exporter/sls-client.ts';
import { ColumnarStore, EventStore, execute, parseQuery, startFakeSls, type StoredEvent } from '../../harness/fake-sls/index.ts';
import { median, percentile } from '../stats.ts';
import { appendSideBySide } from './append.ts';

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv.splice(i, 2)[1];
};
const baseline = flag('--baseline');
const rounds = Number(flag('--rounds') ?? 5);
const devices = Number(process.argv[2] ?? 1_000_000);
const perDevice = Number(process.argv[3] ?? 2);
const nQueries = Number(process.argv[4] ?? 10);
const sdkDevices = Number(process.argv[5] ?? 100_000);
const BATCH = 4096; // SLS's limit of logs per LogGroup
const IN_FLIGHT = 4;
const QUERIES = ['* | select approx_distinct(device_id) as active_devices', '* | select count(distinct device_id) as active_devices', "app: ios | select approx_distinct(device_id) as n where region != 'cn-0'"];

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const require = createRequire(import.meta.url);
const Client = require('@alicloud/log') as new (c: object) => {
  getLogs(p: string, l: string, f: Date, t: Date, d: object, o?: object): Promise<Record<string, string>[]>;
  postLogStoreLogs(p: string, l: string, d: object, o?: object): Promise<unknown>;
};
const nowS = Math.floor(Date.now() / 1000);
const fmt = (n: number) => Math.round(n).toLocaleString('en');
// Heartbeats spread over the last 50 s, so all of them fall in a one-minute query window.
const event = (i: number, n: number) => {
  const d = i % n;
  return { timestamp: nowS - 50 + (i % 50), content: { device_id: `dev-${String(d).padStart(7, '0')}`, app: d % 3 ? 'ios' : 'android', region: `cn-${d % 7}` } };
};

async function throughSdk(): Promise<void> {
  const total = sdkDevices * perDevice;
  const sls = await startFakeSls({ maxEvents: total + BATCH });
  const agent = new HeaderObservingAgent();
  const client = new Client({ endpoint: sls.endpoint, accessKeyId: 'ebbflow-test-ak', accessKeySecret: 'ebbflow-test-secret' });
  console.log(`through the SDK: ${fmt(total)} heartbeats from ${fmt(sdkDevices)} devices (3 fields each), columnar store`);
  let next = 0;
  const t0 = performance.now();
  const sender = async (): Promise<void> => {
    while (next < total) {
      const from = next;
      next = Math.min(total, next + BATCH);
      const logs = [];
      for (let i = from; i < next; i++) logs.push(event(i, sdkDevices));
      await client.postLogStoreLogs('chat-prod', 'device-heartbeat', { logs, topic: 'heartbeat' }, { agent });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
  const s = (performance.now() - t0) / 1000;
  if (sls.stats().ingested !== total) throw new Error(`ingested ${sls.stats().ingested}, sent ${total}`);
  console.log(`  ingest (PutLogs, ${BATCH}/group, ${IN_FLIGHT} in flight): ${fmt(total / s)} events/s   (goal ≥ 100,000)`);
  for (const q of QUERIES) {
    const ms: number[] = [];
    let value = '';
    for (let i = 0; i < nQueries; i++) {
      const t = performance.now();
      const rows = await client.getLogs('chat-prod', 'device-heartbeat', new Date((nowS - 60) * 1000), new Date((nowS + 1) * 1000), { query: q }, { agent });
      ms.push(performance.now() - t);
      value = Object.values(rows[0] ?? {}).find((v) => /^\d+$/.test(v)) ?? '?';
    }
    console.log(`  ${q} → ${value}; p50 ${median(ms).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms   (goal ≤ 50 ms)`);
  }
  agent.destroy();
  await sls.stop();
}

/**
 * The server alone through HTTP: WebTracking POSTs of a pre-built 4,096-log JSON body (what the k6
 * fleet of events mode sends), so the client costs next to nothing and the figure is the server's.
 */
async function throughWebTracking(): Promise<void> {
  const total = sdkDevices * perDevice;
  const sls = await startFakeSls({ maxEvents: total + BATCH });
  const logs = Array.from({ length: BATCH }, (_, i) => event(i, sdkDevices).content);
  const body = JSON.stringify({ __topic__: 'heartbeat', __logs__: logs });
  const url = `${sls.url}/logstores/device-heartbeat/track`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const post = () => new Promise<void>((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { host: `chat-prod.${sls.endpoint}`, 'content-type': 'application/json', 'x-log-apiversion': '0.6.0' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`WebTracking answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (sent < total) {
      sent += BATCH;
      await post();
    }
  }));
  const s = (performance.now() - t0) / 1000;
  console.log(`  ingest (WebTracking POST, ${BATCH} logs/body pre-built, ${IN_FLIGHT} in flight): ${fmt(sls.stats().ingested / s)} events/s   (goal ≥ 100,000)`);
  agent.destroy();
  await sls.stop();
}

const memory = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/**
 * One store: bytes per event it retains (heap + typed arrays, after GC; events are built batch by
 * batch as the server builds them from requests, so the object store pays for its event objects and
 * the columnar store for its columns and dictionaries), append rate (append calls only), query times.
 */
function storeFigures(name: string, make: (n: number) => EventStore | ColumnarStore, total: number): string[] {
  const before = memory();
  const store = make(total + 1);
  let appendMs = 0;
  let appendCpuUs = 0;
  for (let i = 0; i < total; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, total - i) }, (_, k) => stored(i + k));
    const c = process.cpuUsage();
    const t = performance.now();
    store.append('chat-prod', 'device-heartbeat', batch, nowS);
    appendMs += performance.now() - t;
    const d = process.cpuUsage(c);
    appendCpuUs += d.user + d.system;
  }
  const bytes = memory() - before;
  // 10 M events: bytes per event × 10 M, an upper bound for this store (dictionaries grow with distinct devices, not events).
  const out = [`${name.padEnd(9)} ${(bytes / total).toFixed(0).padStart(5)} B/event → ${fmt((bytes / total) * 10_000_000 / 2 ** 20)} MB at 10 M events (goal ≤ 1,024)   append (store alone) ${fmt(total / (appendMs / 1000)).padStart(10)} events/s (goal ≥ 1,000,000), ${fmt(total / (appendCpuUs / 1e6))} per CPU second`];
  for (const q of QUERIES) {
    const parsed = parseQuery(q);
    const ms: number[] = [];
    let value = '';
    for (let i = 0; i < nQueries; i++) {
      const t = performance.now();
      const rows = store instanceof ColumnarStore ? store.query('chat-prod', 'device-heartbeat', nowS - 60, nowS + 1, parsed) : execute(parsed, store.window('chat-prod', 'device-heartbeat', nowS - 60, nowS + 1));
      ms.push(performance.now() - t);
      value = Object.values(rows[0] ?? {}).find((v) => /^\d+$/.test(v)) ?? '?';
    }
    out.push(`          ${q} → ${value}; p50 ${median(ms).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms${q.includes('approx_distinct(device_id) as active') ? ' (goal ≤ 100 ms over 1 M devices in a one-minute window)' : ''}`);
  }
  return out;
}

/** An event as the server stores it: fields in an object without a prototype. */
function stored(i: number): StoredEvent {
  const e = event(i, devices);
  return { time: e.timestamp, fields: Object.assign(Object.create(null) as Record<string, string>, e.content) };
}

if (baseline) await appendSideBySide({ baseline, rounds, total: devices * perDevice, event: stored, batch: BATCH });
else await allFigures();

async function allFigures(): Promise<void> {
  await throughSdk();
  await throughWebTracking();
  const total = devices * perDevice;
  console.log(`\nstores side by side: ${fmt(total)} heartbeats from ${fmt(devices)} devices (3 fields each), one window holding all of them`);
  for (const line of storeFigures('objects', (n) => new EventStore(n, 3600), total)) console.log(line);
  for (const line of storeFigures('columnar', (n) => new ColumnarStore(n, 3600), total)) console.log(line);
  console.log(`  (RSS now ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB)`);
}
