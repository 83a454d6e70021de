import { join } from 'node:path';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { fileTail } from '../../pipeline/log-ring.ts';
import { startManaged, waitUntil, type ManagedProcess } from '../../pipeline/process.ts';

/**
 * A team's own exporter ("bring your own exporter", scenario `exporter:`): their process, started
 * through the cluster's supervisor, pointed at the fake SLS by environment variables, scraped like
 * ebbflow's. The variables are documented in harness/replay/README.md.
 */
export interface OwnExporterSpec {
  command: string[];
  env: Record<string, string>;
  metricsUrl: string;
  startTimeoutSeconds: number;
}

export interface OwnExporterContext {
  cluster: string;
  dir: string;
  /** Working directory of the process: the scenario's directory, so relative paths in `command` work. */
  cwd: string;
  /** The documented variables (SLS_ENDPOINT, …); see `exporterEnv`. */
  vars: Record<string, string>;
}

/** What the replay passes to a team's exporter (names are documented; keep them stable). */
export function exporterEnv(o: { endpoint: string; proxy?: string; accessKeyId: string; accessKeySecret: string; project: string; logstore: string; query: string; compression: number; windowSeconds: number; intervalSeconds: number }): Record<string, string> {
  return {
    SLS_ENDPOINT: o.endpoint,
    // The fake SLS is also the process's HTTP proxy: an SDK that honours HTTP_PROXY (the Python
    // SDK's requests, Go's default net/http transport) then reaches <project>.localhost without resolving it, which a stock
    // glibc resolver does not (harness/replay/preflight.ts). NO_PROXY is cleared: a CI's usual
    // "localhost" entry would send <project>.localhost around the proxy again.
    ...(o.proxy !== undefined ? { HTTP_PROXY: o.proxy, http_proxy: o.proxy, NO_PROXY: '', no_proxy: '' } : {}),
    SLS_PROJECT: o.project,
    SLS_LOGSTORE: o.logstore,
    SLS_QUERY: o.query,
    ALIBABA_CLOUD_ACCESS_KEY_ID: o.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: o.accessKeySecret,
    EBBFLOW_COMPRESSION: String(o.compression),
    EBBFLOW_SLS_WINDOW_SECONDS: String(o.windowSeconds),
    EBBFLOW_EXPORTER_INTERVAL_SECONDS: String(o.intervalSeconds / o.compression),
  };
}

/** The scenario's env with `${NAME}` replaced by the documented variables (unknown names stay as written). */
export function expandEnv(env: Record<string, string>, vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => (Object.hasOwn(vars, name) ? vars[name]! : m));
  return out;
}

export class OwnExporterComponent implements Component {
  readonly name = 'exporter (own)';
  private proc: ManagedProcess | undefined;

  constructor(private readonly spec: OwnExporterSpec, private readonly ctx: () => OwnExporterContext) {}

  async start(): Promise<void> {
    const c = this.ctx();
    const [bin, ...args] = this.spec.command;
    this.proc = startManaged({
      cluster: c.cluster,
      label: 'own-exporter',
      bin: bin!,
      args,
      cwd: c.cwd,
      logFile: join(c.dir, 'own-exporter.log'),
      // The documented variables win over the parent's; the scenario's own env wins over both.
      env: { ...process.env, ...c.vars, ...expandEnv(this.spec.env, c.vars) },
    });
  }

  /** Ready when metricsUrl answers 200. */
  async ready(ctx?: ComponentContext): Promise<void> {
    await waitUntil(`the exporter's ${this.spec.metricsUrl} to answer`, this.spec.startTimeoutSeconds * 1000, async () => ((await fetch(this.spec.metricsUrl)).ok ? true : undefined), () => `its log (${this.proc?.logFile}):\n${this.proc?.logTail() ?? ''}`, 100, ctx?.signal);
  }

  /** What the pipeline reads from: the metrics URL's origin and the URL itself. */
  get(): { url: string; port: number; metricsUrl: string; address: string; path: string } {
    const u = new URL(this.spec.metricsUrl);
    return { url: u.origin, port: Number(u.port), metricsUrl: this.spec.metricsUrl, address: u.host, path: u.pathname };
  }

  /** The process's last output lines (stdout and stderr share its log file), read from the file's end only. */
  logTail(lines = 20): string[] {
    return this.proc ? fileTail(this.proc.logFile, lines) : [];
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }
}
