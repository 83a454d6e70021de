import { z } from 'zod';
import { parseYamlConfig } from '../harness/common/config.ts';
import { UserError } from '../harness/common/errors.ts';
import { readUserFile } from '../harness/common/files.ts';

/**
 * Exporter configuration: YAML, then environment overrides (the Alibaba Cloud standard credential
 * variables, so the same image runs with a Secret, an STS token or an RRSA-style rotating file).
 * Durations accept sub-second values ("250ms") because the harness compresses time.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
export const durationSchema = z.union([z.number().positive(), z.string().regex(DURATION, 'a duration like 250ms, 15s, 1m or 2h')]).transform((d) => {
  if (typeof d === 'number') return d;
  const m = DURATION.exec(d)!;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
});

const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a Prometheus metric name');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name');

export const metricSchema = z.strictObject({
  name: metricName,
  help: z.string().min(1).default('Value of an SLS query'),
  project: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'an SLS project name (lowercase letters, digits, -)'),
  logstore: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/, 'an SLS logstore name'),
  query: z.string().min(1),
  /** The query covers [now − window, now). */
  window: durationSchema.default(60),
  interval: durationSchema.default(15),
  valueColumn: z.string().min(1),
  labelColumns: z.array(labelName).default([]),
  timeout: durationSchema.default(10),
  /** After this long without a good answer the metric is no longer exported (the HPA then holds). */
  maxStaleness: durationSchema.default(120),
  retries: z.number().int().min(0).max(10).default(2),
});
export type MetricConfig = z.output<typeof metricSchema>;

export const exporterConfigSchema = z.strictObject({
  sls: z.strictObject({
    /** host[:port] or http(s)://host[:port]; projects are reached as <project>.<endpoint>. */
    endpoint: z.string().min(1).optional(),
    region: z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/).optional(),
    /** Use the VPC-internal endpoint of the region (`<region>-intranet.log.aliyuncs.com`). */
    internal: z.boolean().default(false),
    credentials: z
      .strictObject({
        accessKeyId: z.string().min(1).optional(),
        accessKeySecret: z.string().min(1).optional(),
        securityToken: z.string().min(1).optional(),
        /** JSON {AccessKeyId, AccessKeySecret, SecurityToken?}; re-read whenever it changes. */
        file: z.string().min(1).optional(),
      })
      .default({}),
  }),
  listen: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(9464),
      /** Scrapes within this long share one rendering of /metrics; 0 renders every scrape. */
      renderCache: z.union([z.literal(0), durationSchema]).default(0.2),
    })
    .default({ host: '0.0.0.0', port: 9464, renderCache: 0.2 }),
  /** Prefix of the exporter's own metrics. */
  selfPrefix: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).default('sls_exporter'),
  metrics: z.array(metricSchema).min(1, 'at least one metric'),
});
export type ExporterConfig = z.output<typeof exporterConfigSchema>;

const ENV: [string, (c: Record<string, unknown>, v: string) => void][] = [
  ['SLS_ENDPOINT', (c, v) => ((c.sls as Record<string, unknown>).endpoint = v)],
  ['ALIBABA_CLOUD_ACCESS_KEY_ID', (c, v) => (creds(c).accessKeyId = v)],
  ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', (c, v) => (creds(c).accessKeySecret = v)],
  ['ALIBABA_CLOUD_SECURITY_TOKEN', (c, v) => (creds(c).securityToken = v)],
  ['ALIBABA_CLOUD_CREDENTIALS_FILE', (c, v) => (creds(c).file = v)],
  ['EXPORTER_PORT', (c, v) => ((c.listen as Record<string, unknown>).port = Number(v))],
];
function creds(c: Record<string, unknown>): Record<string, unknown> {
  const sls = c.sls as Record<string, unknown>;
  return (sls.credentials ??= {}) as Record<string, unknown>;
}

export function parseExporterConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ExporterConfig {
  const cfg = structuredClone(parseYamlConfig(text, exporterConfigSchema, file)) as unknown as Record<string, unknown>;
  for (const [name, apply] of ENV) {
    const v = env[name];
    if (v !== undefined && v !== '') apply(cfg, v);
  }
  const out = exporterConfigSchema.safeParse(cfg);
  if (!out.success) throw new UserError(`${file}: after environment overrides: ${out.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const c = out.data;
  if (!c.sls.endpoint && !c.sls.region) throw new UserError(`${file}: sls: give endpoint or region`, 'e.g. endpoint: cn-hangzhou-intranet.log.aliyuncs.com, or SLS_ENDPOINT');
  const cr = c.sls.credentials;
  if (!cr.file && !(cr.accessKeyId && cr.accessKeySecret)) {
    throw new UserError(`${file}: sls.credentials: give accessKeyId and accessKeySecret, or a credentials file`, 'or set ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (from a Secret), or ALIBABA_CLOUD_CREDENTIALS_FILE');
  }
  const names = new Set<string>();
  c.metrics.forEach((m, i) => {
    if (names.has(m.name)) throw new UserError(`${file}: metrics[${i}].name: duplicate metric ${m.name}`);
    names.add(m.name);
    if (m.maxStaleness < m.interval) throw new UserError(`${file}: metrics[${i}].maxStaleness: ${m.maxStaleness}s is shorter than the interval ${m.interval}s, the metric would flap`);
  });
  return c;
}

export async function loadExporterConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ExporterConfig> {
  return parseExporterConfig(await readUserFile(file, 'exporter config', 'see exporter/config.example.yaml'), file, env);
}

/**
 * The same config for a replay compressed by k: timers run on the wall clock, so interval, timeout and
 * staleness are divided by k; the query window is not, because the replay gives the exporter a
 * virtual `now` and the window is measured on it.
 */
export function compressExporterConfig(c: ExporterConfig, k: number): ExporterConfig {
  return { ...c, metrics: c.metrics.map((m) => ({ ...m, interval: m.interval / k, timeout: Math.max(m.timeout / k, 0.5), maxStaleness: m.maxStaleness / k })) };
}
