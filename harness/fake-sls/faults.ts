import { z } from 'zod';

/**
 * Fault injection for the fake SLS: each fault applies to the next `times` matching requests
 * (default 1) and is counted when applied, so a test can assert the exporter counted exactly what
 * was injected.
 */
export const SLS_ERRORS = {
  RequestTimeExpired: 400,
  ParameterInvalid: 400,
  MissingDate: 400,
  InvalidDateFormat: 400,
  MissingBodyRawSize: 400,
  InvalidBodyRawSize: 400,
  InvalidCompressType: 400,
  PostBodyInvalid: 400,
  PostBodyUncompressError: 400,
  SignatureNotMatch: 401,
  Unauthorized: 401,
  InvalidAccessKeyId: 401,
  ReadQuotaExceed: 403,
  ProjectForbidden: 403,
  ProjectNotExist: 404,
  LogStoreNotExist: 404,
  PostBodyTooLarge: 413,
  InternalServerError: 500,
  RequestTimeout: 500,
  ServerBusy: 503,
} as const;
export type SlsErrorCode = keyof typeof SLS_ERRORS;

const times = z.number().int().min(1).max(1_000_000).optional();
const ms = z.number().min(0).max(600_000);
const codes = Object.keys(SLS_ERRORS) as [SlsErrorCode, ...SlsErrorCode[]];
/** What `/_admin/faults` and `inject()` accept; strict, so a misspelt field is named, not ignored. */
const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('error'), code: z.enum(codes), message: z.string().max(4096).optional(), times }),
  z.strictObject({ kind: z.literal('latency'), ms, times }),
  z.strictObject({ kind: z.literal('incomplete'), times }),
  z.strictObject({ kind: z.literal('html502'), times }),
  z.strictObject({ kind: z.literal('reset'), times }),
  z.strictObject({ kind: z.literal('slowBody'), ms, times }),
  z.strictObject({ kind: z.literal('malformedJson'), times }),
  z.strictObject({ kind: z.literal('wrongType'), value: z.unknown().optional(), times }),
  z.strictObject({ kind: z.literal('emptyResult'), times }),
]);
const bodySchema = z.union([z.strictObject({ clear: z.literal(true) }), faultSchema, z.array(faultSchema).max(1000)]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['kind'];

export class FaultInputError extends Error {}

/** One line per problem, each naming its field (`[1].ms: ...`), for a 400 answer or a thrown error. */
function describe(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const at = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
      return `${at || 'body'}: ${i.message}`;
    })
    .join('; ');
}

/** A parsed `/_admin/faults` body: faults to queue, or 'clear'. */
export function parseFaultBody(body: unknown): Fault[] | 'clear' {
  const r = bodySchema.safeParse(body);
  if (!r.success) {
    // A union reports every branch; the fault branch's own issues name the real field.
    const single = Array.isArray(body) ? z.array(faultSchema).safeParse(body) : faultSchema.safeParse(body);
    throw new FaultInputError(describe(single.success ? r.error : single.error));
  }
  if ('clear' in r.data) return 'clear';
  return Array.isArray(r.data) ? r.data : [r.data];
}

export class FaultInjector {
  private queue: { fault: Fault; left: number }[] = [];
  private counts: Record<string, number> = {};

  inject(fault: Fault): void {
    const r = faultSchema.safeParse(fault);
    if (!r.success) throw new FaultInputError(`invalid fault: ${describe(r.error)}`);
    this.queue.push({ fault: r.data, left: r.data.times ?? 1 });
  }
  clear(): void {
    this.queue = [];
  }
  /** The fault for this request, if any (consumes one use). */
  take(): Fault | undefined {
    const f = this.queue[0];
    if (!f) return undefined;
    if (--f.left <= 0) this.queue.shift();
    const key = f.fault.kind === 'error' ? `error:${f.fault.code}` : f.fault.kind;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    return f.fault;
  }
  /** Applied faults by kind (`error:<Code>` for errors). */
  injected(): Record<string, number> {
    return { ...this.counts };
  }
  pending(): number {
    return this.queue.reduce((a, f) => a + f.left, 0);
  }
}
