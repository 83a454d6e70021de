import { AutoscalingV2Api, CustomObjectsApi } from '@kubernetes/client-node';
import { placementKind } from '../../kinds/registry.ts';
import type { LocalCluster } from '../../cluster/local/index.ts';
import type { RunningExporter } from '../../exporter/index.ts';
import { Interrupted, type Component } from '../../core/component.ts';
import type { TimelineRecord } from '../../core/timeline/format.ts';
import { parseQuantity } from '../../core/units.ts';
import { sleep } from '../../core/wait.ts';
import type { RunningPrometheus } from '../pipeline/prometheus.ts';
import { chainVerdict, computedDropWarning, hpaObjectMetricValue, metricChain, stuckMetricError, type ChainStage } from '../pipeline/stuck-metric.ts';
import { getRaw } from './k8s-get.ts';
import { NAMESPACE, type ObjectMetric, type ReplayPlan } from './plan.ts';

const DEFAULT_METRIC = { namespace: NAMESPACE, service: 'nginx', name: 'active_devices' };

/** What the replay needs of a cluster, whichever backend runs it. */
export type ReplayCluster = Pick<LocalCluster, 'name' | 'kubeconfig' | 'kubeConfig' | 'virtualNode' | 'kubectl'>;

/** The running parts the replay reads from after start-up. */
export interface Pipeline {
  cluster: ReplayCluster;
  /**
   * ebbflow's exporter, or a team's own (scenario `exporter:`), read at metricsUrl when given;
   * where the harness knows them, its last log lines and whether the fake SLS answered its queries.
   */
  exporter: Pick<RunningExporter, 'url'> & { metricsUrl?: string; log?: () => string[]; queried?: () => boolean };
  prometheus: RunningPrometheus;
  /** The HPA's Object metric as the adapter serves it (default: active_devices of Service nginx in default). */
  metric?: ObjectMetric;
  /** What else records into the timeline once it is written, after the warm-up (events mode: the devices the fake SLS holds). */
  probes?: (write: (r: TimelineRecord) => void) => Component[];
  /** Events mode: the devices the fake SLS holds over the query window (what the fleet sent). */
  held?: () => number;
}

/**
 * The clock holds at the first window's start until the HPA acts on a valid metric and the
 * ElasticWorkload has caught up, so the first window starts from a steady state.
 */
export async function warmUp(p: Pipeline, plan: ReplayPlan, o: { signal?: AbortSignal; warmupTimeoutSeconds?: number }, progress: (x: { phase: 'warmup'; message: string }) => void): Promise<void> {
  progress({ phase: 'warmup', message: 'waiting for the metric to reach the HPA (clock held at the window start)' });
  const autoscaling = p.cluster.kubeConfig.makeApiClient(AutoscalingV2Api);
  const custom = p.cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  const timeout = o.warmupTimeoutSeconds ?? 120;
  const t0 = Date.now();
  const deadline = t0 + timeout * 1000;
  // A generated HPA (KEDA's) has no Object metric, so the plan names none; its External metric is
  // still the chain's last stage: KEDA's 0 for an empty Prometheus answer is a stuck metric, not a
  // steady HPA at minReplicas (kind started smoke-keda at 1 of 3 replicas before this).
  const chainMetric = p.metric ?? (plan.hpaName !== plan.hpa.metadata.name ? DEFAULT_METRIC : undefined);
  for (;;) {
    if (o.signal?.aborted) throw new Interrupted();
    // A generated HPA (KEDA's) appears once its controller reconciled the scaler: none yet is no steady state.
    const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: plan.hpaName, namespace: plan.namespace }).catch((e: unknown) => {
      if ((e as { code?: number }).code === 404 && plan.hpaName !== plan.hpa.metadata.name) return { status: undefined };
      throw e;
    });
    const valid = h.status?.conditions?.some((c) => c.type === 'ScalingActive' && c.status === 'True');
    // Without an ElasticWorkload the HPA's own status is the whole story.
    // The placement's own object (an ElasticWorkload, a UnitedDeployment), as its kind names it.
    const r = placementKind(plan.system.placement.kind).recorderView(plan.system.placement).resource;
    const e = plan.ew && r
      ? ((await custom.getNamespacedCustomObject({ group: r.group, version: r.version, plural: r.plural, namespace: plan.namespace, name: plan.ew.metadata.name })) as { spec?: { replicas?: number }; status?: { replicas?: number } })
      : { spec: { replicas: 0 }, status: { replicas: 0 } };
    const stages = await pipelineValues(p);
    // A steady HPA on a metric stuck at 0 (or far below the source's count) is no steady state.
    const chain = chainMetric ? metricChain({ source: plan.devices(plan.clock.now()), held: p.held?.(), ...stages, exporterQueried: p.exporter.queried?.(), hpa: hpaObjectMetricValue(h.status, chainMetric.name, parseQuantity) }) : [];
    const { stuck, computedDrop } = chainVerdict(chain);
    if (valid && h.status?.desiredReplicas === h.status?.currentReplicas && e.status?.replicas === e.spec?.replicas && !stuck) {
      const drop = computedDrop ? computedDropWarning(computedDrop, chainMetric!.name) : undefined;
      if (drop) plan.warnings.push(drop);
      progress({ phase: 'warmup', message: `warm-up done in ${((Date.now() - t0) / 1000).toFixed(1)} s: the HPA acts on the metric (desired ${h.status?.desiredReplicas})${drop ? `; ${drop}` : ''}` });
      return;
    }
    const mark = (v: number | undefined) => (v === undefined ? '…' : String(v));
    progress({ phase: 'warmup', message: `warm-up: exporter ${mark(stages.exporter)} → Prometheus ${mark(stages.prometheus)} → adapter ${mark(stages.adapter)} → HPA ${valid ? `desired ${h.status?.desiredReplicas}, current ${h.status?.currentReplicas}` : '…'} → EW ${e.status?.replicas ?? 0}/${e.spec?.replicas ?? 0}` });
    if (Date.now() > deadline) {
      if (stuck) throw stuckMetricError(stuck, chain, { metric: chainMetric!.name, where: stageSources(p, plan), ...(p.exporter.log ? { exporterLog: p.exporter.log() } : {}), warmupSeconds: timeout });
      const cond = h.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('; ');
      throw new Error(`the pipeline did not reach a steady state in ${timeout}s: exporter ${stages.exporter ?? 'no value'}, Prometheus ${stages.prometheus ?? 'no value'}, adapter ${stages.adapter ?? 'no value'}; HPA: ${cond ?? 'no status'}`);
    }
    // Each poll is a few local requests; at 100 ms the replay starts within a tenth of a second of the steady state.
    await sleep(100, o.signal);
  }
}

/** Where the warm-up read each stage, for its messages. */
function stageSources(p: Pipeline, plan: ReplayPlan): Partial<Record<ChainStage, string>> {
  const m = p.metric ?? DEFAULT_METRIC;
  return {
    source: plan.scenario.source.mode === 'events' ? "the curve's devices for the k6 fleet" : "the scenario's curve at the window start",
    'sls-events': 'devices the fake SLS holds over the query window',
    exporter: p.exporter.metricsUrl ?? `${p.exporter.url}/metrics`,
    prometheus: `max(${m.name})`,
    adapter: `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${m.namespace}/services/${m.service}/${m.name}`,
    hpa: `HorizontalPodAutoscaler ${plan.namespace}/${plan.hpaName} status.currentMetrics`,
  };
}

/** The value each stage serves now: exporter /metrics, Prometheus, the custom metrics API. */
export async function pipelineValues(p: Pipeline): Promise<Record<'exporter' | 'prometheus' | 'adapter', number | undefined>> {
  const out: Record<'exporter' | 'prometheus' | 'adapter', number | undefined> = { exporter: undefined, prometheus: undefined, adapter: undefined };
  const metric = p.metric ?? DEFAULT_METRIC;
  await Promise.all([
    (async () => {
      const text = await (await fetch(p.exporter.metricsUrl ?? `${p.exporter.url}/metrics`)).text();
      const m = new RegExp(`^${metric.name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
      if (m) out.exporter = Number(m[1]);
    })().catch(() => {}),
    (async () => {
      const r = await p.prometheus.query(`max(${metric.name})`);
      if (r[0]) out.prometheus = Number(r[0].value[1]);
    })().catch(() => {}),
    (async () => {
      const r = await getRaw<{ items?: { value: string }[] }>(p.cluster.kubeConfig, `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${metric.namespace}/services/${metric.service}/${metric.name}`);
      const v = r?.items?.[0]?.value;
      if (v !== undefined) out.adapter = parseQuantity(v);
    })().catch(() => {}),
  ]);
  return out;
}
