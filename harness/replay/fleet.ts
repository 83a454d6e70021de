/**
 * Events mode's device fleet, the pure part: how devices are spread over k6 VUs and heartbeat slots,
 * and the generated k6 script. The component that runs it is components/k6-fleet.ts.
 *
 * Device d (0 ≤ d < target) sends in slot `d mod slots` of each heartbeat period and belongs to VU
 * `floor(d / slots) mod vus`, so every VU sends one WebTracking POST per tick holding its share of
 * that slot's devices. The target comes from the control endpoint each tick (the curve at the
 * virtual clock, which the replay holds during warm-up and jumps between windows), and the fake SLS
 * stamps `__time__` with its virtual now on arrival, so k6 never needs to know virtual time.
 */

export interface FleetLayout {
  /** VUs of the whole fleet, over every runner. */
  vus: number;
  /** k6 processes the fleet runs in (a TestRun's parallelism; 1 beside the replay). */
  runners: number;
  /** VUs each runner gets from its execution segment: vus / runners. */
  vusPerRunner: number;
  /** Wall milliseconds between two ticks of a VU. */
  tickMs: number;
  /** Ticks per heartbeat period: each device sends once every `slots` ticks. */
  slots: number;
  /** Wall milliseconds of one heartbeat period (heartbeatSeconds / k). */
  heartbeatWallMs: number;
}

/** Devices one VU handles per POST at most before another VU is worth it. */
const DEVICES_PER_VU_TICK = 1500;
/** VUs one k6 process runs at most (measured on 2 cores: bench/README.md). */
const MAX_VUS_PER_RUNNER = 8;

export function fleetLayout(o: { heartbeatSeconds: number; compression: number; peakDevices: number; runners?: number }): FleetLayout {
  const runners = o.runners ?? 1;
  if (!Number.isInteger(runners) || runners < 1) throw new Error(`runners must be a positive integer, got ${runners}`);
  const heartbeatWallMs = (o.heartbeatSeconds * 1000) / o.compression;
  // Ticks of ~100 ms keep each POST small and the heartbeats spread evenly over the period.
  const tickMs = Math.min(100, heartbeatWallMs);
  const slots = Math.max(1, Math.round(heartbeatWallMs / tickMs));
  const perTick = o.peakDevices / slots;
  // A multiple of the runners, so every execution segment holds the same number of VUs (k6 gives
  // segment i of n the VUs in its share; an uneven split would leave one runner doing more).
  const vusPerRunner = Math.min(MAX_VUS_PER_RUNNER, Math.max(1, Math.ceil(perTick / DEVICES_PER_VU_TICK / runners)));
  return { vus: vusPerRunner * runners, runners, vusPerRunner, tickMs: heartbeatWallMs / slots, slots, heartbeatWallMs };
}

/** The devices VU `vu` sends in slot `slot` when the fleet has `target` devices. */
export function devicesOf(l: Pick<FleetLayout, 'vus' | 'slots'>, vu: number, slot: number, target: number): number[] {
  const out: number[] = [];
  for (let d = slot + vu * l.slots; d < target; d += l.slots * l.vus) out.push(d);
  return out;
}

export interface FleetScriptParams {
  layout: FleetLayout;
  /** WebTracking URL of the logstore on the fake SLS (the Host header carries the project). */
  trackUrl: string;
  host: string;
  controlUrl: string;
  /** Field holding the device id in each heartbeat. */
  deviceField: string;
  /** How long k6 runs (a k6 duration); default 24h, i.e. until the replay stops it. */
  duration?: string;
}

/**
 * The k6 script. Written out, not templated per device: the loop in `devicesOf` is repeated in
 * JavaScript for k6's runtime (goja) and kept equal to it by a unit test that runs both.
 */
export function fleetScript(p: FleetScriptParams): string {
  const c = JSON.stringify({ vus: p.layout.vus, slots: p.layout.slots, tickMs: p.layout.tickMs, trackUrl: p.trackUrl, host: p.host, controlUrl: p.controlUrl, field: p.deviceField });
  return `import http from 'k6/http';
import { sleep } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';

const C = ${c};
export const options = {
  scenarios: { fleet: { executor: 'constant-vus', vus: C.vus, duration: ${JSON.stringify(p.duration ?? '24h')}, gracefulStop: '0s' } },
  discardResponseBodies: true,
  summaryTrendStats: ['avg'],
};
const sent = new Counter('fleet_heartbeats');
const skipped = new Counter('fleet_ticks_skipped');
${DEVICES_OF_JS}
let next = -1;
export default function () {
  // Global across the runners of a TestRun (each runs an execution segment of the VUs; __VU restarts at 1 in each).
  const vu = (exec.vu.idInTest - 1) % C.vus;
  const nowTick = Math.floor(Date.now() / C.tickMs);
  if (next < 0) next = nowTick;
  // More than a whole period behind: those heartbeats are lost (the fleet fell behind), not replayed late.
  if (nowTick - next >= C.slots) { skipped.add(nowTick - next - C.slots + 1); next = nowTick - C.slots + 1; }
  // The VU's global id tells the control endpoint which runners are alive (one id range per runner).
  const ctl = http.get(C.controlUrl + '?vu=' + exec.vu.idInTest, { responseType: 'text', tags: { name: 'control' } });
  const target = ctl.status === 200 ? JSON.parse(ctl.body).devices : 0;
  const logs = [];
  for (; next <= nowTick; next++) for (const d of devicesOf(vu, next % C.slots, target)) logs.push({ [C.field]: 'dev-' + d });
  if (logs.length > 0) {
    http.post(C.trackUrl, JSON.stringify({ __topic__: 'heartbeat', __logs__: logs }), { headers: { Host: C.host, 'Content-Type': 'application/json', 'x-log-apiversion': '0.6.0' }, tags: { name: 'track' } });
    sent.add(logs.length);
  }
  const wait = next * C.tickMs - Date.now();
  if (wait > 0) sleep(wait / 1000);
}
`;
}

/** `devicesOf` for k6, reading C.vus and C.slots. */
export const DEVICES_OF_JS = `function devicesOf(vu, slot, target) {
  const out = [];
  for (let d = slot + vu * C.slots; d < target; d += C.slots * C.vus) out.push(d);
  return out;
}`;
