import type { Logger } from 'pino';
import { MAX_TIMER_SECONDS, type MetricConfig } from './config.ts';
import type { HeaderObservingAgent, SlsClient } from './sls-client.ts';
import { classifyError, parseRows, type QueryFailure, type Sample } from './value.ts';

/**
 * Background polling of one metric: one query per interval whatever the scrape rate, never two in
 * flight (single-flight), jittered, per-request timeout, retries with backoff on retriable codes only
 * within the interval. The last good samples are kept with their time; staleness is judged when
 * exported.
 */
export interface PollerState {
  samples: Sample[] | undefined;
  /** Wall ms (the clock's `now`) of the last good answer. */
  lastSuccess: number | undefined;
  lastError: QueryFailure | undefined;
}

/**
 * Wall time and timers, injectable so tests advance time instead of sleeping. `monotonic` times the
 * render cache (a wall clock stepping back must not freeze /metrics).
 */
export interface Clock {
  now(): number;
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** One finished poll cycle (a query and its retries): the acknowledgement tests and callers wait on. */
export interface PollEvent {
  metric: string;
  outcome: 'success' | 'error';
  /** The last attempt's error code when the cycle failed. */
  code?: string;
  attempts: number;
  /** Clock ms when the cycle ended. */
  at: number;
}

export interface PollerHooks {
  onDuration(seconds: number, outcome: 'success' | 'error'): void;
  onError(code: string): void;
  onCycle?(e: PollEvent): void;
}

export interface PollerDeps {
  client: SlsClient;
  agent: HeaderObservingAgent;
  /** Epoch ms the query window is anchored on (a replay's virtual clock). */
  now: () => number;
  /** @deprecated use clock; kept for callers that only override wall time. */
  wallNow?: () => number;
  clock?: Clock;
  logger?: Logger;
  hooks: PollerHooks;
  random?: () => number;
}

let callIds = 0;

/**
 * Past Node's limit a timer fires after 1 ms: a query storm against SLS. The config refuses such
 * values; this guards configs built in code (checked before the exporter listens).
 */
export function assertTimerSafe(m: MetricConfig): void {
  if (!(m.interval > 0 && m.interval * 1.1 <= MAX_TIMER_SECONDS)) throw new RangeError(`metric ${m.name}: interval ${m.interval}s is outside (0, ${Math.floor(MAX_TIMER_SECONDS / 1.1)}s]`);
}

export function startPoller(m: MetricConfig, deps: PollerDeps) {
  const base = deps.clock ?? realClock;
  const clock: Clock = deps.wallNow ? { ...base, now: deps.wallNow } : base;
  const random = deps.random ?? Math.random;
  assertTimerSafe(m);
  const state: PollerState = { samples: undefined, lastSuccess: undefined, lastError: undefined };
  let inFlight: Promise<void> | undefined;
  let timer: unknown;
  let stopped = false;
  const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));

  async function attempt(): Promise<Sample[]> {
    const id = ++callIds;
    const now = deps.now();
    const t0 = performance.now();
    try {
      const body = await deps.client.getLogs(m.project, m.logstore, new Date(now - m.window * 1000), new Date(now), { query: m.query, line: 100 }, deps.agent.callOptions(id, Math.max(1, Math.round(m.timeout * 1000))));
      const headers = deps.agent.take(id);
      const samples = parseRows(body, headers?.['x-log-progress'] as string | undefined, m.valueColumn, m.labelColumns);
      deps.hooks.onDuration((performance.now() - t0) / 1000, 'success');
      return samples;
    } catch (e) {
      deps.agent.take(id);
      deps.hooks.onDuration((performance.now() - t0) / 1000, 'error');
      throw classifyError(e);
    }
  }

  async function cycle(): Promise<PollEvent> {
    const deadline = clock.now() + m.interval * 1000;
    for (let n = 0; ; n++) {
      try {
        const samples = await attempt();
        state.samples = samples;
        state.lastSuccess = clock.now();
        state.lastError = undefined;
        return { metric: m.name, outcome: 'success', attempts: n + 1, at: state.lastSuccess };
      } catch (e) {
        const f = e as QueryFailure;
        state.lastError = f;
        deps.hooks.onError(f.code);
        deps.logger?.warn({ metric: m.name, code: f.code, retriable: f.retriable, attempt: n + 1 }, f.message);
        const backoff = Math.min(m.interval * 250, 2000) * 2 ** n * (0.5 + random() / 2);
        const done: PollEvent = { metric: m.name, outcome: 'error', code: f.code, attempts: n + 1, at: clock.now() };
        if (stopped || !f.retriable || n >= m.retries || clock.now() + backoff >= deadline) return done;
        await sleep(backoff);
        if (stopped) return done;
      }
    }
  }

  function tick(): void {
    if (stopped) return;
    // Single flight: a slow query delays the next one instead of piling up behind it.
    if (!inFlight) {
      inFlight = cycle()
        .then((e) => deps.hooks.onCycle?.(e))
        .finally(() => (inFlight = undefined));
    }
    const jitter = m.interval * 1000 * 0.1 * random();
    timer = clock.setTimeout(tick, m.interval * 1000 + jitter);
  }
  timer = clock.setTimeout(tick, m.interval * 1000 * 0.1 * random());

  return {
    state,
    /** Stops the timers and waits for the cycle in flight, if any. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await inFlight?.catch(() => {});
    },
  };
}
