import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Counter } from 'prom-client';
import { z } from 'zod';
import type { Logger } from 'pino';
import { errorMessage, UserError } from '../core/errors.ts';
import { readUserFile } from '../core/files.ts';
import { ENV_OVERRIDES, exporterConfigSchema, parseConfigWith } from './config.ts';
import { startExporter, type ExporterOptions, type RunningExporter } from './exporter.ts';
import { GRPC_STATUS, isActive, parseTrigger, pickValue, sameMetric, TriggerError, type TriggerSpec } from './keda-trigger.ts';
import type { PollEvent } from './poller.ts';
import { readSecretFile } from './sls-client.ts';

/**
 * `ebbflow keda-scaler`: KEDA's external scaler (gRPC, externalscaler.proto) in front of the
 * exporter's own machinery — the same config, SLS client, credentials, pollers, staleness and
 * self-metrics (its HTTP side is the exporter's `/metrics`, `/healthz`, `/readyz`). KEDA reads the
 * value over gRPC, no Prometheus on that path; one SLS query per interval whatever KEDA's call rate.
 */

const tlsSchema = z.strictObject({
  /** PEM certificate (chain) and key the server presents. Read at start: a rotated pair needs a restart. */
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  /** PEM CA of KEDA's client certificate: set, and a client without a certificate it signed is refused (mTLS). */
  clientCaFile: z.string().min(1).optional(),
});

export const kedaScalerConfigSchema = exporterConfigSchema.extend({
  grpc: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(9090),
      tls: tlsSchema.optional(),
    })
    .default({ host: '0.0.0.0', port: 9090 }),
});
export type KedaScalerConfig = z.output<typeof kedaScalerConfigSchema>;

type Obj = Record<string, unknown>;
const KEDA_ENV: typeof ENV_OVERRIDES = [...ENV_OVERRIDES, ['KEDA_SCALER_GRPC_PORT', (c: Obj, v: string) => (((c.grpc ??= {}) as Obj).port = Number(v))]];

export function parseKedaScalerConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): KedaScalerConfig {
  return parseConfigWith(kedaScalerConfigSchema, KEDA_ENV, text, file, env) as KedaScalerConfig;
}

export async function loadKedaScalerConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<KedaScalerConfig> {
  return parseKedaScalerConfig(await readUserFile(file, 'keda-scaler config', 'see exporter/keda-scaler.example.yaml'), file, env);
}

export interface KedaScalerOptions extends ExporterOptions {
  grpcHost?: string;
  grpcPort?: number;
}

export interface RunningKedaScaler {
  /** `host:port` KEDA's trigger names as scalerAddress. */
  address: string;
  grpcPort: number;
  exporter: RunningExporter;
  stop(): Promise<void>;
}

const PROTO = fileURLToPath(new URL('./externalscaler.proto', import.meta.url));

export function loadScalerService(): grpc.ServiceDefinition {
  const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { externalscaler: { ExternalScaler: grpc.ServiceClientConstructor } };
  return pkg.externalscaler.ExternalScaler.service;
}

interface ScaledObjectRef {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}

function serverCredentials(tls: KedaScalerConfig['grpc']['tls']): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const read = (field: string, file: string) => {
    try {
      return Buffer.from(readSecretFile(file).text);
    } catch (e) {
      throw new UserError(`grpc.tls.${field}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? errorMessage(e)})`, 'mount the TLS Secret (cert-manager writes tls.crt, tls.key, ca.crt) and point grpc.tls at its files');
    }
  };
  const ca = tls.clientCaFile ? read('clientCaFile', tls.clientCaFile) : null;
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: read('certFile', tls.certFile), private_key: read('keyFile', tls.keyFile) }], ca !== null);
}

function bind(server: grpc.Server, host: string, port: number, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, creds, (err, bound) => {
      if (err) reject(new UserError(`keda-scaler cannot listen for gRPC on ${host}:${port}: ${err.message}`, 'set grpc.port in the config or KEDA_SCALER_GRPC_PORT to a free port, or stop what holds it'));
      else resolve(bound);
    }),
  );
}

/**
 * Starts the scaler. Order as the exporter's: TLS files and the gRPC port first, then the exporter
 * (credentials, HTTP port, and only then polling) — a scaler that cannot serve never queries SLS.
 */
export async function startKedaScaler(config: KedaScalerConfig, opts: KedaScalerOptions = {}): Promise<RunningKedaScaler> {
  const log = opts.logger;
  const listeners = new Set<(e: PollEvent) => void>();
  const state: State = { names: config.metrics.map((m) => m.name) };
  const server = new grpc.Server();
  server.addService(loadScalerService(), handlers(state, listeners, log));
  const host = opts.grpcHost ?? config.grpc.host;
  const grpcPort = await bind(server, host, opts.grpcPort ?? config.grpc.port, serverCredentials(config.grpc.tls));
  try {
    state.exp = await startExporter(config, {
      ...opts,
      onPoll: (e) => {
        opts.onPoll?.(e);
        for (const l of listeners) l(e);
      },
    });
  } catch (e) {
    server.forceShutdown();
    throw e;
  }
  const p = config.selfPrefix;
  state.requests = new Counter({ name: `${p}_grpc_requests_total`, help: 'KEDA external scaler calls by method and gRPC status', labelNames: ['method', 'code'], registers: [state.exp.registry] });
  for (const m of ['IsActive', 'StreamIsActive', 'GetMetricSpec', 'GetMetrics']) for (const c of ['OK', ...Object.keys(GRPC_STATUS)]) state.requests.inc({ method: m, code: c }, 0);
  log?.info({ grpc: `${host}:${grpcPort}`, tls: config.grpc.tls ? (config.grpc.tls.clientCaFile ? 'mutual' : 'server') : 'off' }, 'keda external scaler serving gRPC (externalscaler.ExternalScaler)');
  const exp = state.exp;
  return {
    address: `${host === '0.0.0.0' ? '127.0.0.1' : host}:${grpcPort}`,
    grpcPort,
    exporter: exp,
    async stop() {
      for (const l of listeners) listeners.delete(l);
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      server.forceShutdown();
      await exp.stop();
    },
  };
}

interface State {
  exp?: RunningExporter;
  requests?: Counter;
  names: string[];
}

function specOf(state: State, ref: ScaledObjectRef): { spec: TriggerSpec; exp: RunningExporter } {
  if (!state.exp) throw new TriggerError('UNAVAILABLE', 'the scaler is starting');
  return { spec: parseTrigger(ref.scalerMetadata ?? {}, state.names), exp: state.exp };
}

/** The spec and current value for a request, or a TriggerError. */
function evaluate(state: State, ref: ScaledObjectRef): { spec: TriggerSpec; value: number } {
  const { spec, exp } = specOf(state, ref);
  return { spec, value: pickValue(spec, exp.reading(spec.metric)!) };
}

function asStatus(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof TriggerError) return { code: GRPC_STATUS[e.status], details: e.message };
  return { code: grpc.status.INTERNAL, details: errorMessage(e) };
}

function handlers(state: State, listeners: Set<(e: PollEvent) => void>, log: Logger | undefined): grpc.UntypedServiceImplementation {
  const count = (method: string, e?: unknown) => state.requests?.inc({ method, code: e instanceof TriggerError ? e.status : e ? 'INTERNAL' : 'OK' });
  const who = (ref: ScaledObjectRef | undefined) => `${ref?.namespace ?? '?'}/${ref?.name ?? '?'}`;
  function unary<Req, Res>(method: string, refOf: (r: Req) => ScaledObjectRef, answer: (r: Req) => Res): grpc.handleUnaryCall<Req, Res> {
    return (call, cb) => {
      try {
        const res = answer(call.request);
        count(method);
        cb(null, res);
      } catch (e) {
        count(method, e);
        log?.warn({ method, scaledObject: who(refOf(call.request)), err: errorMessage(e) }, 'keda scaler call answered with an error');
        cb(asStatus(e) as grpc.ServiceError);
      }
    };
  }
  return {
    IsActive: unary<ScaledObjectRef, { result: boolean }>('IsActive', (r) => r, (ref) => {
      const { spec, value } = evaluate(state, ref);
      return { result: isActive(value, spec) };
    }),
    GetMetricSpec: unary<ScaledObjectRef, { metricSpecs: { metricName: string; targetSize: number; targetSizeFloat: number }[] }>('GetMetricSpec', (r) => r, (ref) => {
      // The spec needs no value: KEDA asks for it when it builds the HPA, before SLS may have answered.
      const { spec } = specOf(state, ref);
      return { metricSpecs: [{ metricName: spec.metric, targetSize: Math.max(1, Math.round(spec.targetValue)), targetSizeFloat: spec.targetValue }] };
    }),
    GetMetrics: unary<{ scaledObjectRef: ScaledObjectRef; metricName: string }, { metricValues: { metricName: string; metricValue: number; metricValueFloat: number }[] }>('GetMetrics', (r) => r.scaledObjectRef, (req) => {
      const { spec, value } = evaluate(state, req.scaledObjectRef);
      if (req.metricName && !sameMetric(req.metricName, spec.metric)) throw new TriggerError('NOT_FOUND', `metric ${JSON.stringify(req.metricName)} is not this trigger's (${spec.metric})`);
      return { metricValues: [{ metricName: spec.metric, metricValue: Math.round(value), metricValueFloat: value }] };
    }),
    StreamIsActive: (call: grpc.ServerWritableStream<ScaledObjectRef, { result: boolean }>) => streamIsActive(call, state, listeners, count, log),
  };
}

/** No poll cycle has ended yet for the trigger's metric: a stream opened at start waits for one. */
function notYetPolled(state: State, ref: ScaledObjectRef): boolean {
  try {
    const { spec, exp } = specOf(state, ref);
    const r = exp.reading(spec.metric);
    return r !== undefined && r.lastSuccess === undefined && r.lastError === undefined;
  } catch {
    return false;
  }
}

/**
 * Pushes activity when it changes (and first on open), after each poll cycle. Without a fresh value
 * the stream ends with UNAVAILABLE (KEDA reconnects): holding a last "true" or sending "false"
 * would both be a value SLS did not give.
 */
function streamIsActive(call: grpc.ServerWritableStream<ScaledObjectRef, { result: boolean }>, state: State, listeners: Set<(e: PollEvent) => void>, count: (m: string, e?: unknown) => void, log: Logger | undefined): void {
  let last: boolean | undefined;
  const push = (): boolean => {
    try {
      const { spec, value } = evaluate(state, call.request);
      const now = isActive(value, spec);
      if (now !== last) call.write({ result: now });
      last = now;
      return true;
    } catch (e) {
      if (last === undefined && notYetPolled(state, call.request)) return true;
      listeners.delete(listener);
      count('StreamIsActive', e);
      log?.warn({ method: 'StreamIsActive', err: errorMessage(e) }, 'keda scaler stream ended with an error');
      // grpc-js sends an 'error' event's status as the stream's trailers (destroy would only reset it).
      call.emit('error', asStatus(e));
      return false;
    }
  };
  const listener = () => void push();
  if (!push()) return;
  count('StreamIsActive');
  listeners.add(listener);
  call.on('cancelled', () => listeners.delete(listener));
  call.on('close', () => listeners.delete(listener));
}
