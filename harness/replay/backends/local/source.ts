import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Component, Stack } from '../../../../core/component.ts';
import type { FakeSls } from '../../../fake-sls/index.ts';
import { LogRing, ringLogger } from '../../../pipeline/log-ring.ts';
import type { ScrapeTarget } from '../../../pipeline/prometheus.ts';
import { serviceMonitorToScrapeTarget } from '../../../../manifests/index.ts';
import { curvePeak } from '../../../../scenarios/format.ts';
import type { TimelineRecord } from '../../../../core/timeline/format.ts';
import { ExporterComponent } from '../../components/exporter.ts';
import { KedaScalerComponent, runExporterConfig } from '../../components/keda-scaler.ts';
import { FakeSlsComponent } from '../../components/fake-sls.ts';
import { HeldDevicesProbe, K6FleetComponent } from '../../components/k6-fleet.ts';
import { exporterEnv, OwnExporterComponent } from '../../components/own-exporter.ts';
import type { ReplayPlan } from '../../plan.ts';

/**
 * The replay's data source and exporter, chosen by the scenario: curve mode (the fake answers
 * aggregate queries with the curve at the virtual clock) or events mode (a k6 fleet sends heartbeats
 * and the fake runs the exporter's real query over them); ebbflow's exporter or the team's own.
 */
export interface SourceParts {
  /** What the pipeline reads the exporter's value from, its last log lines, whether the fake SLS answered its queries. */
  exporter: { url: string; metricsUrl?: string; log?: () => string[]; queried?: () => boolean };
  /** Prometheus' scrape target for the exporter. */
  target: ScrapeTarget;
  /** Events mode: what records the devices the fake SLS holds, once the timeline is written (`Pipeline.probes`). */
  probes?: (write: (r: TimelineRecord) => void) => Component[];
  /** Events mode: the devices the fake SLS holds over the query window (`Pipeline.held`). */
  held?: () => number;
  /** The SLS external scaler's gRPC `host:port`, when the scaler asks one (a ScaledObject's `external` trigger). */
  externalScaler?: string;
}

export async function startSource(stack: Stack, plan: ReplayPlan, o: { workDir: string; logger?: Logger }): Promise<SourceParts> {
  const s = plan.scenario;
  const { system: sys, clock } = plan;
  const k = s.compression;
  const events = s.source.mode === 'events';
  // Events mode: no curve, so every query runs over the events the fleet sent. Arrivals are stamped
  // 1 ms before the virtual now: while the clock holds (warm-up) every heartbeat would otherwise carry
  // exactly the `to` of the exporter's window, which SLS excludes ([from, to)), and warm-up would see 0.
  const now = events ? () => clock.now() - 1 : clock.now;
  const base = plan.exporterConfig;
  const sls = await stack.up(new FakeSlsComponent({ ...(events ? {} : { curve: plan.devices }), now, projects: plan.slsProjects, wallQueries: s.exporter !== undefined }));
  const metric = base.metrics[0]!;
  let probes: SourceParts['probes'];
  let held: SourceParts['held'];
  if (s.source.mode === 'events') {
    const fleet = await stack.up(
      new K6FleetComponent({
        cluster: plan.clusterName, dir: o.workDir, sls: () => sls.get(), project: metric.project, logstore: metric.logstore,
        heartbeatSeconds: s.source.heartbeatSeconds, compression: k, peakDevices: curvePeak(s.curve, s.windows), target: () => plan.devices(clock.now()), now: clock.now,
      }),
    );
    // The devices the fake holds over the query window, sampled into the timeline once it is written.
    const everyMs = Math.max(50, (s.sampleEverySeconds * 1000) / k / 2);
    held = () => fleet.held(sys.pipeline.slsWindowSeconds);
    probes = (write) => [new HeldDevicesProbe({ fleet, now: clock.now, windowSeconds: sys.pipeline.slsWindowSeconds, everyMs, write })];
  }
  const scrape = { ...plan.manifests.scrape, intervalSeconds: sys.pipeline.scrapeIntervalSeconds };
  const queried = () => answeredAny(sls.get(), base.metrics);
  if (s.exporter) {
    const cred = sls.get().credentials[0]!;
    const own = await stack.up(
      new OwnExporterComponent(s.exporter, () => ({
        cluster: plan.clusterName, dir: o.workDir, cwd: dirname(resolve(s.file)),
        vars: exporterEnv({ endpoint: sls.get().endpoint, proxy: sls.get().url, accessKeyId: cred.accessKeyId, accessKeySecret: cred.accessKeySecret, project: metric.project, logstore: metric.logstore, query: metric.query, compression: k, windowSeconds: sys.pipeline.slsWindowSeconds, intervalSeconds: sys.pipeline.exporterIntervalSeconds }),
      })),
    );
    const e = own.get();
    return { exporter: { url: e.url, metricsUrl: e.metricsUrl, log: () => own.logTail(), queried }, target: serviceMonitorToScrapeTarget({ ...scrape, path: e.path }, e.address), ...(probes ? { probes } : {}), ...(held ? { held } : {}) };
  }
  const ring = new LogRing();
  const config = () => runExporterConfig(plan, sls.get().endpoint);
  const exporter = await stack.up(new ExporterComponent(config, { host: '127.0.0.1', port: 0, now: clock.now, logger: ringLogger(ring, o.logger) }));
  // KEDA's `external` trigger asks the SLS scaler over gRPC: the same config and clock as the exporter.
  const scaler = plan.externalScaler
    ? await stack.up(new KedaScalerComponent(config, { host: '127.0.0.1', port: 0, now: clock.now, ...(o.logger ? { logger: o.logger.child({ component: 'keda-scaler' }) } : {}) }))
    : undefined;
  return {
    exporter: { url: exporter.get().url, log: () => ring.lines(), queried },
    target: serviceMonitorToScrapeTarget(scrape, `127.0.0.1:${exporter.get().port}`),
    ...(probes ? { probes } : {}),
    ...(held ? { held } : {}),
    ...(scaler ? { externalScaler: scaler.get().address } : {}),
  };
}

/** Whether the fake SLS answered a query on any of these metrics' logstores (the exporter reached it). */
function answeredAny(sls: FakeSls, metrics: { project: string; logstore: string }[]): boolean {
  const by = sls.stats().byLogstore;
  return metrics.some((m) => (by[`${m.project}/${m.logstore}`] ?? 0) > 0);
}
