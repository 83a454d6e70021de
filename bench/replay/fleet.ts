/**
 * Events mode's ceiling: the largest k6 device fleet that 2 cores sustain at k=60 without falling
 * behind, and what saturates first. Fake SLS (in this process, columnar store) + the k6 fleet
 * component exactly as a replay runs them + the exporter's query every 250 ms (15 s virtual).
 * A fleet keeps up when, after a settling second, ingest is ≥ 97 % of the heartbeat rate and 90 % of
 * the samples of the fake's held devices over the 60 s virtual window are ≥ 99 % of the fleet (the
 * minimum is printed too: on a shared machine a scheduler stall shows there, not a trend).
 *
 *   npm run bench:replay -- fleet [maxDevices=160000] [seconds per step=12]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSls } from '../../harness/fake-sls/index.ts';
import { distinctDevices, K6FleetComponent } from '../../harness/replay/components/k6-fleet.ts';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { median, percentile } from '../stats.ts';

const maxDevices = Number(process.argv[3] ?? 160_000);
const stepSeconds = Number(process.argv[4] ?? 12);
const K = 60;
const HEARTBEAT = 30;
const WINDOW = 60;
const PROJECT = 'chat-prod';
const LOGSTORE = 'device-heartbeat';
const TICKS = 100; // /proc clock ticks per second on Linux

function cpuTicks(pid: number): number {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime
}

interface Step { devices: number; ingestRate: number; expectedRate: number; heldMin: number; heldP10: number; k6Cpu: number; fakeCpu: number; queryP50: number; queryP99: number; kept: boolean }

async function step(devices: number, dir: string): Promise<Step> {
  const t0 = Date.now();
  const sls = await startFakeSls({ now: () => t0 + (Date.now() - t0) * K, retentionSeconds: 3600 });
  const virtualNow = () => t0 + (Date.now() - t0) * K;
  const fleet = new K6FleetComponent({ cluster: 'bench-fleet', dir, sls: () => sls, project: PROJECT, logstore: LOGSTORE, heartbeatSeconds: HEARTBEAT, compression: K, peakDevices: devices, target: () => devices, now: virtualNow });
  await fleet.start();
  await fleet.ready();
  await new Promise((r) => setTimeout(r, 1500)); // settle: a full window of heartbeats
  const held: number[] = [];
  const query: number[] = [];
  const c0 = { k6: cpuTicks(fleet.pid!), fake: process.cpuUsage(), ingested: sls.stats().ingested, at: performance.now() };
  const end = Date.now() + stepSeconds * 1000;
  while (Date.now() < end) {
    const q0 = performance.now();
    const toS = Math.floor(virtualNow() / 1000);
    held.push(distinctDevices(sls, PROJECT, LOGSTORE, toS - WINDOW, toS));
    query.push(performance.now() - q0);
    await new Promise((r) => setTimeout(r, 250));
  }
  const wall = (performance.now() - c0.at) / 1000;
  const k6Cpu = (cpuTicks(fleet.pid!) - c0.k6) / TICKS / wall;
  const u = process.cpuUsage(c0.fake);
  const ingestRate = (sls.stats().ingested - c0.ingested) / wall;
  await fleet.stop();
  await sls.stop();
  const expectedRate = devices / ((HEARTBEAT / K));
  const heldMin = Math.min(...held);
  const heldP10 = percentile(held, 10);
  return { devices, ingestRate, expectedRate, heldMin, heldP10, k6Cpu, fakeCpu: (u.user + u.system) / 1e6 / wall, queryP50: median(query), queryP99: percentile(query, 99), kept: heldP10 >= 0.99 * devices && ingestRate >= 0.97 * expectedRate };
}

await ensureBinaries(['k6']);
const dir = mkdtempSync(join(tmpdir(), 'ebf-bench-fleet-'));
console.log(`events mode fleet at k=${K}, heartbeat ${HEARTBEAT} s virtual (${(HEARTBEAT / K) * 1000} ms wall), window ${WINDOW} s virtual; ${stepSeconds} s per step`);
console.log(`  load average before: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (2 cores)`);
console.log('  devices   events/s (needed)   held p10 / min     k6 CPU  fake CPU  query p50/p99 ms  keeps up');
let best = 0;
let last: Step | undefined;
for (let n = 5000; n <= maxDevices; n *= 2) {
  const s = await step(n, dir);
  last = s;
  console.log(`  ${String(n).padStart(7)}  ${s.ingestRate.toFixed(0).padStart(8)} (${s.expectedRate.toFixed(0).padStart(7)})  ${String(Math.round(s.heldP10)).padStart(7)} / ${String(s.heldMin).padEnd(7)}  ${(s.k6Cpu * 100).toFixed(0).padStart(4)} %  ${(s.fakeCpu * 100).toFixed(0).padStart(6)} %  ${s.queryP50.toFixed(1).padStart(6)}/${s.queryP99.toFixed(1).padEnd(6)}    ${s.kept ? 'yes' : 'NO'}`);
  if (!s.kept) break;
  best = n;
}
rmSync(dir, { recursive: true, force: true });
console.log(`largest fleet kept up: ${best} devices (goal ≥ 20,000)`);
if (last && !last.kept) {
  // Whichever is nearest its ceiling: k6 may use both cores, the fake's ingest one (Node's event loop), the query must fit the 250 ms exporter interval.
  const why = [['k6 CPU', last.k6Cpu / 2], ['fake ingest (event loop)', last.fakeCpu], ['query', last.queryP99 / 250]] as const;
  const first = [...why].sort((a, b) => b[1] - a[1])[0]!;
  const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const detail = why.map(([n, v]) => `${n} ${(v * 100).toFixed(0)} % of its ceiling`).join(', ');
  // Neither process near its ceiling while the machine is oversubscribed: the ticks were late because they were not scheduled.
  if (first[1] < 0.6 && load > 2) console.log(`saturates first: the machine — load average ${load} on 2 cores, none of ours near its ceiling (${detail}); nearest: ${first[0]}`);
  else console.log(`saturates first: ${first[0]} (${detail})`);
}
