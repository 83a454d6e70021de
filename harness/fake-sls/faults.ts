/**
 * Fault injection for the fake SLS: each fault applies to the next `times` matching requests
 * (default 1) and is counted when applied, so a test can assert the exporter counted exactly what
 * was injected.
 */
export const SLS_ERRORS = {
  RequestTimeExpired: 400,
  ParameterInvalid: 400,
  SignatureNotMatch: 401,
  Unauthorized: 401,
  InvalidAccessKeyId: 401,
  ReadQuotaExceed: 403,
  ProjectForbidden: 403,
  ProjectNotExist: 404,
  LogStoreNotExist: 404,
  InternalServerError: 500,
  RequestTimeout: 500,
  ServerBusy: 503,
} as const;
export type SlsErrorCode = keyof typeof SLS_ERRORS;

export type Fault =
  | { kind: 'error'; code: SlsErrorCode; message?: string; times?: number }
  | { kind: 'latency'; ms: number; times?: number }
  | { kind: 'incomplete'; times?: number }
  | { kind: 'html502'; times?: number }
  | { kind: 'reset'; times?: number }
  | { kind: 'slowBody'; ms: number; times?: number }
  | { kind: 'malformedJson'; times?: number }
  | { kind: 'wrongType'; value?: unknown; times?: number }
  | { kind: 'emptyResult'; times?: number };

export type FaultKind = Fault['kind'];

export class FaultInjector {
  private queue: { fault: Fault; left: number }[] = [];
  private counts: Record<string, number> = {};

  inject(fault: Fault): void {
    if (fault.kind === 'error' && !(fault.code in SLS_ERRORS)) throw new Error(`unknown SLS error code ${fault.code}; one of ${Object.keys(SLS_ERRORS).join(', ')}`);
    this.queue.push({ fault, left: fault.times ?? 1 });
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
