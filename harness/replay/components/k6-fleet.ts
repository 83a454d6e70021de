import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { resolveBinary } from '../../../cluster/toolchain/index.ts';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { ColumnarStore, execute, parseQuery, type FakeSls } from '../../fake-sls/index.ts';
import { startManaged, waitUntil, type ManagedProcess } from '../../pipeline/process.ts';
import type { TimelineEvent, TimelineRecord } from '../../../core/timeline/format.ts';
import { fleetLayout, fleetScript, type FleetLayout } from '../fleet.ts';

export const FLEET_DEVICE_FIELD = 'device_id';
/** The stage name of "devices the fake SLS holds" in `metric.published` events (the report's lag chart). */
export const HELD_STAGE = 'sls-events';

export interface K6FleetOptions {
  cluster: string;
  dir: string;
  sls: () => FakeSls;
  project: string;
  logstore: string;
  heartbeatSeconds: number;
  compression: number;
  peakDevices: number;
  /** Devices the fleet should have now (the curve at the virtual clock). */
  target: () => number;
  /** Virtual epoch ms (the replay's clock). */
  now: () => number;
}

/**
 * Events mode's device fleet: the k6 binary of the toolchain runs a generated script (replay/fleet.ts)
 * that sends each device's heartbeat through WebTracking into the fake SLS. A loopback control
 * endpoint answers the target device count; k6 reads it every tick.
 */
export class K6FleetComponent implements Component {
  readonly name = 'k6-fleet';
  layout: FleetLayout;
  private control: Server | undefined;
  private controlHits = 0;
  private proc: ManagedProcess | undefined;

  constructor(private readonly o: K6FleetOptions) {
    this.layout = fleetLayout(o);
  }

  async start(): Promise<void> {
    this.control = createServer((req, res) => {
      this.controlHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ devices: Math.max(0, Math.round(this.o.target())) }));
    });
    const port = await new Promise<number>((r) => this.control!.listen(0, '127.0.0.1', () => r((this.control!.address() as { port: number }).port)));
    const sls = this.o.sls();
    const script = join(this.o.dir, 'k6-fleet.js');
    writeFileSync(script, fleetScript({ layout: this.layout, trackUrl: `${sls.url}/logstores/${this.o.logstore}/track`, host: `${this.o.project}.${sls.endpoint}`, controlUrl: `http://127.0.0.1:${port}/target`, deviceField: FLEET_DEVICE_FIELD }));
    this.proc = startManaged({
      cluster: this.o.cluster,
      label: 'k6-fleet',
      bin: resolveBinary('k6'),
      args: ['run', '--quiet', '--no-summary', '--no-usage-report', '--no-thresholds', '--log-output=stderr', script],
      logFile: join(this.o.dir, 'k6-fleet.log'),
      env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
    });
  }

  /** The k6 process id (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Ready when every VU asked for its target once and, if it is above zero, the fake stored heartbeats. */
  async ready(ctx?: ComponentContext): Promise<void> {
    const sls = this.o.sls();
    await waitUntil('the k6 fleet to send its first heartbeats', 60_000, async () => (this.controlHits >= this.layout.vus && (this.o.target() < 1 || sls.stats().ingested > 0) ? true : undefined), () => this.proc?.logTail() ?? '', 200, ctx?.signal);
  }

  /** Distinct devices the fake holds in the `windowSeconds` before its virtual now. */
  held(windowSeconds: number): number {
    const toS = Math.floor(this.o.now() / 1000);
    return distinctDevices(this.o.sls(), this.o.project, this.o.logstore, toS - windowSeconds, toS);
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    await new Promise<void>((r) => (this.control ? this.control.close(() => r()) : r()));
  }
}

/** approx_distinct over the fleet's device field, on the store directly (not through HTTP). */
export function distinctDevices(sls: FakeSls, project: string, logstore: string, from: number, to: number): number {
  const q = parseQuery(`* | select approx_distinct(${FLEET_DEVICE_FIELD}) as n`);
  const rows = sls.store instanceof ColumnarStore ? sls.store.query(project, logstore, from, to, q) : execute(q, sls.store.window(project, logstore, from, to));
  return Number(rows[0]?.n ?? 0);
}

/**
 * Records how many devices the fake SLS holds over the query window (`metric.published`, stage
 * `sls-events`), so the report shows the lag events mode adds before the exporter.
 */
export class HeldDevicesProbe implements Component {
  readonly name = 'held-devices';
  private timer: NodeJS.Timeout | undefined;
  private last: number | undefined;

  constructor(private readonly o: { fleet: K6FleetComponent; now: () => number; windowSeconds: number; everyMs: number; write: (r: TimelineRecord) => void }) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => {
      const n = this.o.fleet.held(this.o.windowSeconds);
      if (n === this.last) return;
      this.last = n;
      this.o.write({ kind: 'event', t: Math.round(this.o.now()), type: 'metric.published', object: HELD_STAGE, to: n, message: `the fake SLS holds ${n} devices in the last ${this.o.windowSeconds} s` } as TimelineEvent);
    }, this.o.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
