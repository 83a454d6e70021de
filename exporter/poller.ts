import type { Logger } from 'pino';
import type { MetricConfig } from './config.ts';
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
  /** Wall ms of the last good answer. */
  lastSuccess: number | undefined;
  lastError: QueryFailure | undefined;
}

export interface PollerHooks {
  onDuration(seconds: number, outcome: 'success' | 'error'): void;
  onError(code: string): void;
}

let callIds = 0;

export function startPoller(m: MetricConfig, deps: { client: SlsClient; agent: HeaderObservingAgent; now: () => number; wallNow?: () => number; logger?: Logger; hooks: PollerHooks; random?: () => number }) {
  const wallNow = deps.wallNow ?? Date.now;
  const random = deps.random ?? Math.random;
  const state: PollerState = { samples: undefined, lastSuccess: undefined, lastError: undefined };
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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

  async function cycle(): Promise<void> {
    const deadline = wallNow() + m.interval * 1000;
    for (let n = 0; ; n++) {
      try {
        const samples = await attempt();
        state.samples = samples;
        state.lastSuccess = wallNow();
        state.lastError = undefined;
        return;
      } catch (e) {
        const f = e as QueryFailure;
        state.lastError = f;
        deps.hooks.onError(f.code);
        deps.logger?.warn({ metric: m.name, code: f.code, retriable: f.retriable, attempt: n + 1 }, f.message);
        const backoff = Math.min(m.interval * 250, 2000) * 2 ** n * (0.5 + random() / 2);
        if (stopped || !f.retriable || n >= m.retries || wallNow() + backoff >= deadline) return;
        await sleep(backoff);
        if (stopped) return;
      }
    }
  }

  function tick(): void {
    if (stopped) return;
    // Single flight: a slow query delays the next one instead of piling up behind it.
    if (!inFlight) inFlight = cycle().finally(() => (inFlight = undefined));
    const jitter = m.interval * 1000 * 0.1 * random();
    timer = setTimeout(tick, m.interval * 1000 + jitter);
  }
  timer = setTimeout(tick, m.interval * 1000 * 0.1 * random());

  return {
    state,
    /** Resolves after the first cycle finished (success or not). */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight?.catch(() => {});
    },
  };
}
