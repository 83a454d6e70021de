import { UserError } from '../../core/errors.ts';

/**
 * Whether the metric the HPA acts on carries the source's count, stage by stage, and which stage
 * holds it back. Pure: stage values in, a verdict out. The warm-up must not accept a pipeline that
 * serves 0 while the fleet holds thousands of devices (the HPA then sits at its minimum and the
 * replay ends with an SLO coverage of 0 % and nothing saying why).
 */

/** The stages in the order the value travels. */
export type ChainStage = 'source' | 'sls-events' | 'exporter' | 'prometheus' | 'adapter' | 'hpa';

export interface StageValue {
  stage: ChainStage;
  /** undefined: the stage serves no value (yet). */
  value: number | undefined;
  /**
   * The stage computes its value from what it read, and did read (the exporter, once the fake SLS
   * answered its queries): a drop there is the system's own answer (a wrong query) — what the
   * replay is for, reported, not refused.
   */
  computedFromInput?: boolean;
}

export interface StuckStage {
  stage: ChainStage;
  value: number | undefined;
  upstream: ChainStage;
  upstreamValue: number;
}

export interface ChainVerdict {
  /** The stage that drops the value without having read it: the environment, exit 2. */
  stuck?: StuckStage;
  /** A stage that computed a value far below its input: the system under test says so. */
  computedDrop?: StuckStage;
}

/**
 * A stage whose value is under this share of the stage before it holds the metric back. Each hop is
 * transport (the exporter publishes the count the SLS query returns, Prometheus keeps it, the
 * adapter's `max`/`avg`/`sum` over one series is that series, the HPA reads the adapter), so a 100×
 * drop is a fault, not a unit; an exporter that publishes a scaled value (devices / 1000) trips it.
 */
export const FAR_BELOW = 0.01;

/**
 * Walks the chain from the source: the first stage that serves 0 or under `farBelow` of the last
 * stage before it that served a value, while that one held some, is `stuck` — unless it computed
 * its value from input it read (`computedDrop`, and the walk goes on from its value). Nothing is
 * judged when the source holds no devices (0 is then the right answer). A stage with no value is
 * skipped when a later one serves the count (the exporter may publish the series under a name the
 * adapter renames); when no stage past the source serves anything, the first of them is stuck.
 */
export function chainVerdict(chain: StageValue[], farBelow = FAR_BELOW): ChainVerdict {
  const source = chain[0];
  if (!source || source.value === undefined || !(source.value > 0)) return {};
  let up = { stage: source.stage, value: source.value };
  let firstMissing: ChainStage | undefined;
  let computedDrop: StuckStage | undefined;
  for (const s of chain.slice(1)) {
    if (s.value === undefined) {
      firstMissing ??= s.stage;
      continue;
    }
    if (up.value > 0 && s.value < up.value * farBelow) {
      const at = { stage: s.stage, value: s.value, upstream: up.stage, upstreamValue: up.value };
      if (!s.computedFromInput) return { stuck: at, ...(computedDrop ? { computedDrop } : {}) };
      computedDrop ??= at;
    }
    up = { stage: s.stage, value: s.value };
  }
  if (up.stage === source.stage && firstMissing) return { stuck: { stage: firstMissing, value: undefined, upstream: source.stage, upstreamValue: source.value } };
  return computedDrop ? { computedDrop } : {};
}

/** The chain the warm-up reads: the source's count, in events mode the devices the fake holds, then each stage. */
export function metricChain(v: { source: number; held?: number; exporter?: number; exporterQueried?: boolean; prometheus?: number; adapter?: number; hpa?: number }): StageValue[] {
  return [
    { stage: 'source', value: v.source },
    ...(v.held !== undefined ? [{ stage: 'sls-events' as const, value: v.held }] : []),
    { stage: 'exporter', value: v.exporter, ...(v.exporterQueried ? { computedFromInput: true } : {}) },
    { stage: 'prometheus', value: v.prometheus },
    { stage: 'adapter', value: v.adapter },
    { stage: 'hpa', value: v.hpa },
  ];
}

type MetricStatus = { metric?: { name?: string }; current?: { value?: unknown; averageValue?: unknown } };

/**
 * The HPA's view of an Object metric from its status (AverageValue targets report value per
 * replica). An HPA without that Object metric but with an External one — the HPA KEDA generates,
 * one External metric per trigger under its own name (`s0-prometheus`) — is read from its first
 * External metric: without it, a KEDA value of 0 (its prometheus trigger reads an empty answer as
 * 0) was no stage at all, and the warm-up took the HPA at minReplicas for a steady state.
 */
export function hpaObjectMetricValue(status: { currentReplicas?: number; currentMetrics?: { type?: string; object?: MetricStatus; external?: MetricStatus }[] } | undefined, metric: string, parse: (q: string) => number): number | undefined {
  const metrics = status?.currentMetrics ?? [];
  const m = metrics.find((x) => x.type === 'Object' && x.object?.metric?.name === metric)?.object?.current ?? (metrics.some((x) => x.type === 'Object') ? undefined : metrics.find((x) => x.type === 'External')?.external?.current);
  if (!m) return undefined;
  const q = (v: unknown) => (v === undefined || v === null ? undefined : parse(String(v)));
  const value = q(m.value);
  if (value !== undefined) return value;
  const avg = q(m.averageValue);
  return avg === undefined ? undefined : avg * Math.max(1, status?.currentReplicas ?? 1);
}

export interface StuckContext {
  metric: string;
  /** Where each stage was read, for the message (a URL, a query, an API path, an object). */
  where: Partial<Record<ChainStage, string>>;
  /** The exporter's last log lines (its process output, or the in-process exporter's log); undefined where the harness holds none (pods). */
  exporterLog?: string[];
  warmupSeconds: number;
}

const FIX: Record<ChainStage, string> = {
  source: 'the source holds no devices',
  'sls-events': "the k6 fleet's heartbeats do not reach the fake SLS: see k6's output in the replay's log",
  exporter:
    "the exporter never got an answer from the fake SLS (its last log lines are below). A team's exporter reaches it at SLS_ENDPOINT (localhost:<port>) through HTTP_PROXY, which the replay points at the fake; an SDK whose HTTP client ignores HTTP_PROXY needs every <project>.localhost it dials mapped to 127.0.0.1 in /etc/hosts; a refused key shows as 401 in its log",
  prometheus: "Prometheus does not keep the exporter's series: check the ServiceMonitor's port, path and metricRelabelings (the series must keep its name)",
  adapter: "the adapter does not serve the series for the HPA's object: check the adapter rule's seriesQuery and the series' namespace and service labels (the ServiceMonitor's relabelings)",
  hpa: "the HPA reads another metric or object than the adapter serves: check its spec.metrics[].object (describedObject and metric.name)",
};

const shown = (v: number | undefined) => (v === undefined ? 'no value' : String(v));

/** What a computed drop looks like in the replay's warnings (the run goes on: it is the system's answer). */
export function computedDropWarning(d: StuckStage, metric: string): string {
  return `warm-up: the exporter's query answered ${metric} = ${d.value} while ${d.upstream} held ${d.upstreamValue}; the replay runs on that value (check the query in the exporter config)`;
}

/** Exit 2, naming the stage that holds the wrong value, the chain, the fix and the exporter's last lines. */
export function stuckMetricError(s: StuckStage, chain: StageValue[], c: StuckContext): UserError {
  const at = (stage: ChainStage) => `${stage}${c.where[stage] ? ` (${c.where[stage]})` : ''}`;
  const log = c.exporterLog === undefined ? '' : c.exporterLog.length ? `\nthe exporter's last log lines:\n${c.exporterLog.map((l) => `  ${l}`).join('\n')}` : '\nthe exporter wrote no log lines';
  return new UserError(
    `warm-up: ${c.metric} stayed at ${shown(s.value)} in ${at(s.stage)} for the whole warm-up (${c.warmupSeconds} s) while ${at(s.upstream)} held ${s.upstreamValue}; the replay would run on a wrong metric.\n` +
      `  ${chain.map((x) => `${x.stage} ${shown(x.value)}`).join(' → ')}${log}`,
    FIX[s.stage],
  );
}
