import { z } from 'zod';
import { parseYamlConfig } from '../core/config.ts';
import { UserError } from '../core/errors.ts';
import { readUserFile } from '../core/files.ts';
import { isDuration, parseDuration } from '../core/units.ts';

/**
 * Exporter configuration: YAML, then environment overrides (the Alibaba Cloud standard credential
 * variables, so the same image runs with a Secret, an STS token, ACK's RRSA or a rotating file).
 * Durations accept sub-second values ("250ms") because the harness compresses time.
 */

export const durationSchema = z.union([z.number().positive(), z.string().refine(isDuration, 'a duration like 250ms, 15s, 1m or 2h')]).transform((d) => (typeof d === 'number' ? d : parseDuration(d)));

/** Node's timers take at most 2^31-1 ms (≈24.8 days); a longer delay fires after 1 ms, every time. */
export const MAX_TIMER_SECONDS = (2 ** 31 - 1) / 1000;

/**
 * Documented bounds of every duration (exporter/README.md). The upper bounds keep every timer far
 * below Node's limit and refuse values that cannot be meant for an HPA metric.
 */
export const DURATION_BOUNDS = {
  interval: [0.1, 86_400],
  window: [1, 86_400],
  timeout: [0.1, 300],
  maxStaleness: [0.1, 7 * 86_400],
  renderCache: [0.001, 60],
} as const satisfies Record<string, readonly [number, number]>;

export function formatSeconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  for (const [unit, n] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) if (s >= n && s % n === 0) return `${s / n}${unit}`;
  return `${s}s`;
}

function bounded(field: keyof typeof DURATION_BOUNDS) {
  const [min, max] = DURATION_BOUNDS[field];
  return durationSchema.refine((v) => v >= min && v <= max, { error: (iss) => `${formatSeconds(iss.input as number)} is out of bounds: give ${formatSeconds(min)} to ${formatSeconds(max)}` });
}

const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a Prometheus metric name');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name');

export const metricSchema = z
  .strictObject({
    name: metricName,
    help: z.string().min(1).default('Value of an SLS query'),
    project: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'an SLS project name (lowercase letters, digits, -)'),
    logstore: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/, 'an SLS logstore name'),
    query: z.string().min(1),
    /** The query covers [now − window, now). */
    window: bounded('window').default(60),
    interval: bounded('interval').default(15),
    valueColumn: z.string().min(1),
    labelColumns: z.array(labelName).default([]),
    timeout: bounded('timeout').default(10),
    /** After this long without a good answer the metric is no longer exported (the HPA then holds). */
    maxStaleness: bounded('maxStaleness').default(120),
    retries: z.number().int().min(0).max(10).default(2),
  })
  .refine((m) => m.maxStaleness >= m.interval, {
    path: ['maxStaleness'],
    // Only between valid durations: an out-of-bounds interval already has its own message.
    when: (payload) => payload.issues.length === 0,
    error: (iss) => {
      const m = iss.input as { maxStaleness: number; interval: number };
      return `${formatSeconds(m.maxStaleness)} is shorter than the interval ${formatSeconds(m.interval)}, the metric would flap`;
    },
  });
export type MetricConfig = z.output<typeof metricSchema>;

const LOOPBACK = /^(localhost|[^:/]+\.localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?\/?$/;

/**
 * Why a bare endpoint is a warning and not an error: the SDK speaks plain HTTP on port 80 to it,
 * which works wherever port 80 is open (many VPCs), so refusing would stop exporters that run today;
 * but the shipped NetworkPolicy opens only 443, where the exporter then times out on every poll
 * with no hint why. Loopback (the fake SLS, a local proxy) is plain HTTP by intent and left quiet.
 */
export function endpointWarning(sls: { endpoint?: string | undefined }): string | undefined {
  const e = sls.endpoint;
  if (e === undefined || e.includes('://') || LOOPBACK.test(e)) return undefined;
  return `sls.endpoint "${e}" has no scheme: @alicloud/log then speaks plain HTTP on port 80, which the shipped NetworkPolicy does not open (it opens 443); write https://${e} (or http://${e} if plain HTTP is what you mean)`;
}

/** ACK RRSA: the pod's OIDC token is exchanged for STS credentials (AssumeRoleWithOIDC). */
const rrsaSchema = z.strictObject({
  roleArn: z.string().min(1).optional(),
  oidcProviderArn: z.string().min(1).optional(),
  oidcTokenFile: z.string().min(1).optional(),
  roleSessionName: z.string().regex(/^[\w.@-]{2,64}$/, '2-64 letters, digits, . @ - _').optional(),
  /** host[:port] of STS; default sts.aliyuncs.com, or per ALIBABA_CLOUD_STS_REGION / ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED. */
  stsEndpoint: z.string().regex(/^[a-zA-Z0-9.-]+(:\d{1,5})?$/, 'host[:port], no scheme (STS is always HTTPS)').optional(),
  /** Lifetime of the STS credentials asked for; refreshed 15 minutes before they expire. */
  durationSeconds: z.number().int().min(900).max(43_200).default(3600),
});

/**
 * `host[:port]` or `http(s)://host[:port]`, as @alicloud/log reads it: it puts `<project>.` before
 * the whole string, so `user:password@` would become part of the host (and be logged), a path would
 * follow the project, and an IPv6 literal would become an invalid name. The message never repeats
 * the value: it may hold a password.
 */
export const ENDPOINT_PATTERN = /^(?:https?:\/\/)?[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?(?::\d{1,5})?\/?$/;
const SCHEME_MESSAGE = 'the scheme must be https:// or http:// (lower case, as the SDK compares it), e.g. https://cn-hangzhou-intranet.log.aliyuncs.com';
const PATTERN_MESSAGE = 'give host[:port] or http(s)://host[:port], e.g. cn-hangzhou.log.aliyuncs.com or 127.0.0.1:18080 (no user:password@ — SLS signs with the AccessKey —, no path or query, no IPv6 literal: use a host name); the value is not shown';

/**
 * Also: @alicloud/log strips exactly `https://` (then HTTPS) or `http://`; anything else is taken as
 * the host, so `HTTPS://h` or `tcp://h` would become `http://HTTPS://h`: refused here, where the
 * line is known, with the scheme named (one message per endpoint, the scheme's first).
 */
const endpointSchema = z
  .string()
  .min(1)
  .superRefine((e, ctx) => {
    const schemeOk = !(e.includes('://') || /^[a-z][a-z0-9+.-]*:\//i.test(e)) || /^https?:\/\/[^/]/.test(e);
    if (!schemeOk) ctx.addIssue({ code: 'custom', message: SCHEME_MESSAGE });
    else if (!ENDPOINT_PATTERN.test(e)) ctx.addIssue({ code: 'custom', message: PATTERN_MESSAGE });
  });

export const exporterConfigSchema = z.strictObject({
  sls: z.strictObject({
    /** http(s)://host[:port] (a bare host[:port] is plain http); projects are reached as <project>.<endpoint> (an IPv4 address works too). */
    endpoint: endpointSchema.optional(),
    region: z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/).optional(),
    /** Use the VPC-internal endpoint of the region (`<region>-intranet.log.aliyuncs.com`). */
    internal: z.boolean().default(false),
    credentials: z
      .strictObject({
        accessKeyId: z.string().min(1).optional(),
        accessKeySecret: z.string().min(1).optional(),
        securityToken: z.string().min(1).optional(),
        /** JSON {AccessKeyId, AccessKeySecret, SecurityToken?} or an INI profile; re-read whenever it changes. */
        file: z.string().min(1).optional(),
        rrsa: rrsaSchema.optional(),
      })
      .default({}),
  }),
  listen: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(9464),
      /** Scrapes within this long share one rendering of /metrics; 0 renders every scrape. */
      renderCache: z.union([z.literal(0), bounded('renderCache')]).default(0.2),
    })
    .default({ host: '0.0.0.0', port: 9464, renderCache: 0.2 }),
  /** Prefix of the exporter's own metrics. */
  selfPrefix: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).default('sls_exporter'),
  metrics: z
    .array(metricSchema)
    .min(1, 'at least one metric')
    .superRefine((ms, ctx) => {
      const seen = new Set<string>();
      ms.forEach((m, i) => {
        if (seen.has(m.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate metric ${m.name}` });
        seen.add(m.name);
      });
    }),
});
export type ExporterConfig = z.output<typeof exporterConfigSchema>;
export type CredentialsConfig = ExporterConfig['sls']['credentials'];

type Obj = Record<string, unknown>;
const sub = (o: Obj, k: string): Obj => (o[k] ??= {}) as Obj;
const creds = (c: Obj) => sub(sub(c, 'sls'), 'credentials');
const rrsa = (c: Obj) => sub(creds(c), 'rrsa');

/** Environment overrides; the RRSA names are the ones ACK's pod-identity webhook injects. */
export const ENV_OVERRIDES: [string, (c: Obj, v: string) => void][] = [
  ['SLS_ENDPOINT', (c, v) => (sub(c, 'sls').endpoint = v)],
  ['ALIBABA_CLOUD_ACCESS_KEY_ID', (c, v) => (creds(c).accessKeyId = v)],
  ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', (c, v) => (creds(c).accessKeySecret = v)],
  ['ALIBABA_CLOUD_SECURITY_TOKEN', (c, v) => (creds(c).securityToken = v)],
  ['ALIBABA_CLOUD_CREDENTIALS_FILE', (c, v) => (creds(c).file = v)],
  ['ALIBABA_CLOUD_ROLE_ARN', (c, v) => (rrsa(c).roleArn = v)],
  ['ALIBABA_CLOUD_OIDC_PROVIDER_ARN', (c, v) => (rrsa(c).oidcProviderArn = v)],
  ['ALIBABA_CLOUD_OIDC_TOKEN_FILE', (c, v) => (rrsa(c).oidcTokenFile = v)],
  ['ALIBABA_CLOUD_ROLE_SESSION_NAME', (c, v) => (rrsa(c).roleSessionName = v)],
  ['ALIBABA_CLOUD_STS_ENDPOINT', (c, v) => (rrsa(c).stsEndpoint = v)],
  // Kubernetes' service links set EXPORTER_PORT=tcp://<ip>:<port> in every pod of a namespace with a
  // Service named `exporter`: that is an address, not our override, and must not break the listener.
  ['EXPORTER_PORT', (c, v) => void (isServiceLink(v) || (sub(c, 'listen').port = Number(v)))],
];

/** A Docker/Kubernetes service-link variable's value (`tcp://10.0.0.7:9100`). */
export const isServiceLink = (v: string) => /^(tcp|udp|sctp):\/\//.test(v);

const RRSA_REQUIRED = [
  ['roleArn', 'ALIBABA_CLOUD_ROLE_ARN'],
  ['oidcProviderArn', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN'],
  ['oidcTokenFile', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE'],
] as const;

export type CredentialSource = { kind: 'keys' } | { kind: 'rrsa'; rrsa: Required<Pick<NonNullable<CredentialsConfig['rrsa']>, 'roleArn' | 'oidcProviderArn' | 'oidcTokenFile'>> & NonNullable<CredentialsConfig['rrsa']> } | { kind: 'file'; file: string };

/**
 * Which credentials sign the SLS calls: explicit keys > RRSA > credentials file. Pure; a half-given
 * source (an id without its secret, two of RRSA's three variables) is an error, never skipped.
 */
export function credentialSource(cr: CredentialsConfig, file: string): CredentialSource {
  if (!!cr.accessKeyId !== !!cr.accessKeySecret) {
    const missing = cr.accessKeyId ? 'accessKeySecret (ALIBABA_CLOUD_ACCESS_KEY_SECRET)' : 'accessKeyId (ALIBABA_CLOUD_ACCESS_KEY_ID)';
    throw new UserError(`${file}: sls.credentials.${missing.split(' ')[0]}: missing; an AccessKey needs both its id and its secret`, `give ${missing}`);
  }
  if (cr.accessKeyId && cr.accessKeySecret) return { kind: 'keys' };
  const r = cr.rrsa;
  if (r && RRSA_REQUIRED.some(([k]) => r[k] !== undefined)) {
    const missing = RRSA_REQUIRED.filter(([k]) => r[k] === undefined);
    if (missing.length) {
      throw new UserError(`${file}: sls.credentials.rrsa.${missing[0]![0]}: missing; RRSA needs ${RRSA_REQUIRED.map(([, e]) => e).join(', ')}`, `set ${missing.map(([, e]) => e).join(' and ')} (ACK's RRSA webhook injects all three when the ServiceAccount is annotated)`);
    }
    return { kind: 'rrsa', rrsa: r as Extract<CredentialSource, { kind: 'rrsa' }>['rrsa'] };
  }
  if (cr.file) return { kind: 'file', file: cr.file };
  throw new UserError(
    `${file}: sls.credentials: give accessKeyId and accessKeySecret, RRSA, or a credentials file`,
    'set ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (from a Secret), enable RRSA on the ServiceAccount (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), or ALIBABA_CLOUD_CREDENTIALS_FILE',
  );
}

export function parseExporterConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ExporterConfig {
  return parseConfigWith(exporterConfigSchema, ENV_OVERRIDES, text, file, env);
}

/**
 * The exporter's parsing for a schema that extends it (the KEDA scaler's): the YAML is checked,
 * then the environment applied and checked again, then endpoint and credentials, as for the exporter.
 */
export function parseConfigWith<S extends z.ZodType<ExporterConfig>>(schema: S, overrides: typeof ENV_OVERRIDES, text: string, file: string, env: NodeJS.ProcessEnv): z.output<S> {
  const cfg = structuredClone(parseYamlConfig(text, schema, file)) as unknown as Obj;
  for (const [name, apply] of overrides) {
    const v = env[name];
    if (v !== undefined && v !== '') apply(cfg, v);
  }
  const out = schema.safeParse(cfg);
  if (!out.success) throw new UserError(`${file}: after environment overrides: ${out.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const c = out.data;
  if (!c.sls.endpoint && !c.sls.region) throw new UserError(`${file}: sls: give endpoint or region`, 'e.g. endpoint: https://cn-hangzhou-intranet.log.aliyuncs.com, or SLS_ENDPOINT');
  credentialSource(c.sls.credentials, file);
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
