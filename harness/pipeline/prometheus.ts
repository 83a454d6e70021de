import { mkdirSync, writeFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import type { ScrapeTarget } from '../../manifests/scrape.ts';
import { freePort, startManaged, waitUntil, type ManagedProcess } from './process.ts';

// The target's shape belongs to the manifests that describe it; re-exported for the pipeline's users.
export type { ScrapeTarget } from '../../manifests/scrape.ts';

export function prometheusConfig(targets: ScrapeTarget[], k: number): object {
  const dur = (s: number) => `${Math.max(1, Math.round((s * 1000) / k))}ms`;
  return {
    global: { scrape_interval: dur(Math.min(...targets.map((t) => t.intervalSeconds))), evaluation_interval: '1m' },
    scrape_configs: targets.map((t) => ({
      job_name: t.job,
      scrape_interval: dur(t.intervalSeconds),
      scrape_timeout: dur(Math.min(t.intervalSeconds, 10)),
      metrics_path: t.path ?? '/metrics',
      honor_labels: t.honorLabels ?? false,
      static_configs: [{ targets: [t.address], labels: t.labels ?? {} }],
      ...(t.relabelings?.length ? { relabel_configs: t.relabelings } : {}),
      ...(t.metricRelabelings?.length ? { metric_relabel_configs: t.metricRelabelings } : {}),
    })),
  };
}

export interface RunningPrometheus extends ManagedProcess {
  url: string;
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

/**
 * Debian's Prometheus, scraping the given targets at compressed intervals. On loopback, unless
 * `bindAddress` (an address of this machine) is given for a cluster's own controller to query it
 * (KEDA's prometheus trigger on a cluster ebbflow did not create); `url` is then that address.
 */
export async function startPrometheus(opts: { cluster: string; dir: string; targets: ScrapeTarget[]; compression: number; bindAddress?: string; signal?: AbortSignal }): Promise<RunningPrometheus> {
  const { prometheus } = await ensureBinaries(['prometheus']);
  mkdirSync(join(opts.dir, 'prometheus-data'), { recursive: true });
  const cfg = join(opts.dir, 'prometheus.yml');
  writeFileSync(cfg, YAML.stringify(prometheusConfig(opts.targets, opts.compression)));
  const port = await freePort();
  const host = opts.bindAddress ?? '127.0.0.1';
  const hostPort = `${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const url = `http://${hostPort}`;
  const proc = startManaged({
    cluster: opts.cluster,
    label: 'prometheus',
    bin: prometheus!,
    args: [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${join(opts.dir, 'prometheus-data')}`,
      `--web.listen-address=${hostPort}`,
      '--storage.tsdb.retention.time=2d',
      // A replay's series must be visible at once, not after the default 5 m lookback.
      '--query.lookback-delta=1m',
    ],
    logFile: join(opts.dir, 'prometheus.log'),
  });
  try {
    await waitUntil('Prometheus ready', 30_000, async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), () => proc.logTail(), 50, opts.signal);
  } catch (e) {
    await proc.stop().catch(() => {});
    throw e;
  }
  return {
    ...proc,
    url,
    async query(expr) {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await r.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
      if (body.status !== 'success') throw new Error(`Prometheus query ${expr}: ${body.error}`);
      return body.data?.result ?? [];
    },
  };
}
