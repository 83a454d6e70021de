/**
 * Fake SLS throughput: ingest rate through the real @alicloud/log SDK (PutLogs, protobuf LogGroups of
 * 4,096 events, a few requests in flight; client encoding and signing share this process, so the
 * figure is a floor for the server) and the event store alone; then the time of a distinct-count
 * query over a window holding N distinct devices (default 100,000), through the SDK and in the query
 * engine alone. Figures only; nothing asserts a time. Two heartbeats per device by default: a device
 * beating every 30 s shows twice in the one-minute window of `exporter/config.example.yaml`.
 *
 *   npm run bench:fake-sls -- [devices=100000] [heartbeats per device in the window=2] [queries=20]
 */
import { createRequire } from 'node:module';
import { HeaderObservingAgent } from '../../exporter/sls-client.ts';
import { EventStore, execute, parseQuery, startFakeSls, type StoredEvent } from '../../harness/fake-sls/index.ts';
import { median, percentile } from '../stats.ts';

const devices = Number(process.argv[2] ?? 100_000);
const perDevice = Number(process.argv[3] ?? 2);
const nQueries = Number(process.argv[4] ?? 20);
const BATCH = 4096; // SLS's limit of logs per LogGroup
const IN_FLIGHT = 4;

const require = createRequire(import.meta.url);
const Client = require('@alicloud/log') as new (c: object) => {
  getLogs(p: string, l: string, f: Date, t: Date, d: object, o?: object): Promise<Record<string, string>[]>;
  postLogStoreLogs(p: string, l: string, d: object, o?: object): Promise<unknown>;
};

const sls = await startFakeSls({ maxEvents: devices * perDevice + BATCH });
process.once('SIGINT', () => void sls.stop().then(() => process.exit(130)));
const agent = new HeaderObservingAgent();
const client = new Client({ endpoint: sls.endpoint, accessKeyId: 'ebbflow-test-ak', accessKeySecret: 'ebbflow-test-secret' });
const total = devices * perDevice;
const nowS = Math.floor(Date.now() / 1000);
// Heartbeats spread over the last 50 s, so all of them fall in a one-minute query window.
const event = (i: number) => {
  const d = i % devices;
  return { timestamp: nowS - 50 + (i % 50), content: { device_id: `dev-${String(d).padStart(7, '0')}`, app: d % 3 ? 'ios' : 'android', region: `cn-${d % 7}` } };
};

console.log(`fake SLS: ${total.toLocaleString('en')} heartbeats from ${devices.toLocaleString('en')} devices (3 fields each)`);
let next = 0;
const t0 = performance.now();
async function sender(): Promise<void> {
  while (next < total) {
    const from = next;
    next = Math.min(total, next + BATCH);
    const logs = [];
    for (let i = from; i < next; i++) logs.push(event(i));
    await client.postLogStoreLogs('chat-prod', 'device-heartbeat', { logs, topic: 'heartbeat' }, { agent });
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
const ingestS = (performance.now() - t0) / 1000;
if (sls.stats().ingested !== total) throw new Error(`ingested ${sls.stats().ingested}, sent ${total}`);
console.log(`  ingest through the SDK (PutLogs, ${BATCH}/group, ${IN_FLIGHT} in flight): ${Math.round(total / ingestS).toLocaleString('en')} events/s   (goal ≥ 50,000)`);

const store = new EventStore(total + 1, 3600);
const raw: StoredEvent[] = Array.from({ length: total }, (_, i) => {
  const e = event(i);
  return { time: e.timestamp, fields: e.content };
});
let t = performance.now();
for (let i = 0; i < total; i += BATCH) store.append('chat-prod', 'device-heartbeat', raw.slice(i, i + BATCH), nowS);
console.log(`  event store alone (append):                 ${Math.round(total / ((performance.now() - t) / 1000)).toLocaleString('en')} events/s`);

for (const q of ['* | select approx_distinct(device_id) as active_devices', '* | select count(distinct device_id) as active_devices', 'app: ios | select approx_distinct(device_id) as n where region != \'cn-0\'']) {
  const sdk: number[] = [];
  let value = '';
  for (let i = 0; i < nQueries; i++) {
    t = performance.now();
    const rows = await client.getLogs('chat-prod', 'device-heartbeat', new Date((nowS - 60) * 1000), new Date((nowS + 1) * 1000), { query: q }, { agent });
    sdk.push(performance.now() - t);
    value = Object.values(rows[0] ?? {}).find((v) => /^\d+$/.test(v)) ?? '?';
  }
  const parsed = parseQuery(q);
  const engine: number[] = [];
  for (let i = 0; i < nQueries; i++) {
    t = performance.now();
    execute(parsed, store.window('chat-prod', 'device-heartbeat', nowS - 60, nowS + 1));
    engine.push(performance.now() - t);
  }
  console.log(`  ${q}\n    → ${value}; through the SDK p50 ${median(sdk).toFixed(1)} ms, p99 ${percentile(sdk, 99).toFixed(1)} ms; query engine alone p50 ${median(engine).toFixed(1)} ms   (goal ≤ 50 ms)`);
}
console.log(`  RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB (SDK client, server and a second store of ${total.toLocaleString('en')} events in one process)`);
agent.destroy();
await sls.stop();
