/**
 * Kubernetes quantities and Prometheus/Go durations, parsed in one place for the whole project.
 * Hand-written: the client library's quantity converter is not exported from its entry point and
 * throws on decimals with a suffix ("2.5k" is exactly what the HPA reports for a metric of 2500),
 * and no maintained package parses both Go (`1m30s`) and Prometheus (`1h`, `15s`) durations.
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

export class UnitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitError';
  }
}

/** Whether parseQuantity takes `q` (the syntax, and a finite value). */
export function isQuantity(q: string): boolean {
  const m = QUANTITY.exec(q.trim());
  return m !== null && Number.isFinite(Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1));
}

/** "2721", "6k", "1500m", "2.5k", "16384Mi" → number in base units (cores, bytes, devices). */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new UnitError(`not a Kubernetes quantity: ${q}`);
    return q;
  }
  const m = QUANTITY.exec(q.trim());
  if (!m) throw new UnitError(`not a Kubernetes quantity: "${q}" (expected a number with an optional suffix: m, k, M, G, Ki, Mi, Gi, ...)`);
  const v = Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1);
  if (!Number.isFinite(v)) throw new UnitError(`not a finite Kubernetes quantity: "${q}"`);
  return v;
}

/** CPU in cores: "500m" → 0.5, "2" → 2. */
export const cpuCores = (q: string | number): number => parseQuantity(q);

/** Memory in GiB: "512Mi" → 0.5, "16Gi" → 16, a plain number is bytes (as Kubernetes reads it). */
export const memoryGiB = (q: string | number): number => parseQuantity(q) / 2 ** 30;

/** A number as the shortest Kubernetes quantity the HPA would print (milli-units below 1). */
export function formatQuantity(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const milli = Math.round(v * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

const DURATION_UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y))+$/;

/** "15s", "1m30s", "5m", "1h", "250ms", or a number of seconds → seconds. */
export function parseDuration(d: string | number): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) throw new UnitError(`not a duration: ${d} (expected seconds ≥ 0)`);
    return d;
  }
  const s = d.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  if (!DURATION.test(s)) throw new UnitError(`not a duration: "${d}" (expected e.g. 15s, 1m30s, 5m, 1h)`);
  let total = 0;
  for (const [, n, u] of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)) total += Number(n) * DURATION_UNIT[u!]!;
  return total;
}

/** Whether parseDuration takes `d`: for schema checks that report their own message. */
export function isDuration(d: string): boolean {
  const s = d.trim();
  return /^\d+(\.\d+)?$/.test(s) || DURATION.test(s);
}

/** Seconds as a Go duration string ("90" → "1m30s", "0.5" → "500ms"), what kcm flags and Prometheus accept. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new UnitError(`not a duration: ${seconds}`);
  const ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const rest = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest ? `${rest}s` : ''}`;
}
