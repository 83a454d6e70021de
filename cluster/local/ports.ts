import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { processStartTime } from './supervisor.ts';

/**
 * The ports of a local control plane, chosen here instead of by kwokctl.
 *
 * kwokctl (v0.8.0, binary runtime) picks each port by counting down from 32767 and taking the first
 * one nothing listens on yet, and its own list of taken ports reads `hostPort`, which the binary
 * runtime leaves 0. Two clusters created at the same moment (the e2e project's shared cluster and a
 * file's own, or two engineers' runs on one machine) therefore pick the same ports: measured, the
 * second cluster's kube-apiserver failed with "bind: address already in use"; when it is the
 * kwok-controller that loses, the apiserver is healthy and no node ever turns Ready.
 *
 * Here a start takes a machine-wide lock, skips every port another start still holds, probes the
 * rest, records its choice and lets go (milliseconds); the record counts until that start ended
 * (its ports are bound then, and a probe sees them) or its process is gone.
 */

/** kwokctl's options for the ports of the binary runtime (`KwokctlConfigurationOptions`). */
export const PORT_OPTIONS = ['etcdPeerPort', 'etcdPort', 'kubeApiserverPort', 'kwokControllerPort', 'kubeControllerManagerPort', 'kubeSchedulerPort'] as const;
export type ClusterPorts = Record<(typeof PORT_OPTIONS)[number], number>;

/**
 * Below the kernel's ephemeral range (32768+, where clients' ports come from) and away from the
 * top, where a kwokctl choosing by itself (another version, another tool) starts counting down.
 */
export const PORT_RANGE = { min: 20_000, max: 31_999 } as const;

/**
 * The ports for one cluster: `fixed` ones as given, the others the first free ones from `start`
 * on (wrapping inside the range), never one in `taken` and each distinct. Pure but for `isFree`.
 */
export async function choosePorts(o: { taken: ReadonlySet<number>; isFree: (port: number) => Promise<boolean>; start: number; fixed?: Partial<ClusterPorts> }): Promise<ClusterPorts> {
  const span = PORT_RANGE.max - PORT_RANGE.min + 1;
  const chosen = new Set<number>(Object.values(o.fixed ?? {}));
  const out: Partial<ClusterPorts> = { ...o.fixed };
  let i = 0;
  for (const key of PORT_OPTIONS) {
    if (out[key] !== undefined) continue;
    for (;; i++) {
      if (i >= span) throw new Error(`no free port left in ${PORT_RANGE.min}–${PORT_RANGE.max} for ${key}`);
      const p = PORT_RANGE.min + ((o.start - PORT_RANGE.min + i) % span);
      if (chosen.has(p) || o.taken.has(p) || !(await o.isFree(p))) continue;
      out[key] = p;
      chosen.add(p);
      i++;
      break;
    }
  }
  return out as ClusterPorts;
}

/** What a reservation file holds. */
export interface Reservation {
  cluster: string;
  pid: number;
  /** The reserving process' start time (`/proc/<pid>/stat`), so a reused pid does not keep it. */
  startTime: number | undefined;
  ports: number[];
}

/** Whether a reservation still counts: its process is the one that wrote it and still runs. */
export function reservationHolds(r: Reservation, startTimeOf: (pid: number) => number | undefined): boolean {
  const now = startTimeOf(r.pid);
  return now !== undefined && (r.startTime === undefined || now === r.startTime);
}

/** Per user: another user's starts cannot be seen through files, only through the probe. */
const registryDir = () => join(tmpdir(), `ebbflow-ports-${process.getuid?.() ?? 'user'}`);

/** Whether nothing listens on `port`, on loopback and on every address (what kwokctl checked too). */
export async function portIsFree(port: number): Promise<boolean> {
  const tryListen = (host: string | undefined) =>
    new Promise<boolean>((res) => {
      const srv = createServer();
      srv.once('error', () => res(false));
      srv.listen({ port, ...(host ? { host } : {}), exclusive: true }, () => srv.close(() => res(true)));
    });
  return (await tryListen('127.0.0.1')) && (await tryListen(undefined));
}

function readReservations(dir: string): { file: string; r: Reservation }[] {
  const out: { file: string; r: Reservation }[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push({ file: join(dir, f), r: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Reservation });
    } catch {
      // Half-written by a process that died in the write: no start is using it.
      rmSync(join(dir, f), { force: true });
    }
  }
  return out;
}

/**
 * Chooses the cluster's ports under the machine-wide lock and records them until `release()`
 * (call it once the start ended, either way). `key` names the reservation (the cluster's name
 * and its state directory: two state directories may each hold a cluster of one name).
 */
export async function reservePorts(key: string, cluster: string, fixed?: Partial<ClusterPorts>): Promise<{ ports: ClusterPorts; release(): void }> {
  const dir = registryDir();
  mkdirSync(dir, { recursive: true });
  // Held for milliseconds (a directory listing and a few probes); retried for up to ~10 s under load.
  const unlock = await lockfile.lock(dir, { stale: 10_000, retries: { retries: 100, minTimeout: 20, maxTimeout: 200 } });
  const file = join(dir, `${key.replace(/[^a-zA-Z0-9._-]/g, '_')}.json`);
  try {
    const taken = new Set<number>();
    for (const { file: f, r } of readReservations(dir)) {
      if (reservationHolds(r, processStartTime)) r.ports.forEach((p) => taken.add(p));
      else rmSync(f, { force: true });
    }
    const start = PORT_RANGE.min + Math.floor(Math.random() * (PORT_RANGE.max - PORT_RANGE.min + 1));
    const ports = await choosePorts({ taken, isFree: portIsFree, start, ...(fixed ? { fixed } : {}) });
    const r: Reservation = { cluster, pid: process.pid, startTime: processStartTime(process.pid), ports: Object.values(ports) };
    writeFileSync(file, JSON.stringify(r));
    return { ports, release: () => rmSync(file, { force: true }) };
  } finally {
    await unlock();
  }
}
