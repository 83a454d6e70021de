/**
 * A client-side token bucket for API writes, like client-go's `--kube-api-qps`/`--kube-api-burst`
 * (defaults 5 and 10): `burst` writes go out at once, then `qps` per second. Waiters are served in
 * order. Written here because the maintained npm limiters either poll on timers or queue without a
 * burst; this is a dozen lines with an injectable clock, which the tests need.
 */
export interface RateLimiter {
  /** Resolves when a write may go out. */
  acquire(): Promise<void>;
  /** Milliseconds the next `acquire` would wait (0 when a token is free). */
  delayMs(): number;
  stop(): void;
}

export interface RateLimit {
  qps: number;
  burst: number;
}

export const CLIENT_GO_DEFAULTS: RateLimit = { qps: 5, burst: 10 };

export function createTokenBucket(limit: RateLimit, now: () => number = () => performance.now()): RateLimiter {
  if (!(limit.qps > 0) || !(limit.burst >= 1)) throw new Error(`rate limit needs qps > 0 and burst ≥ 1, got qps ${limit.qps}, burst ${limit.burst}`);
  let tokens = limit.burst;
  let at = now();
  // Tokens go negative: each waiter reserves a future token, so waiters are served in order.
  const refill = () => {
    const t = now();
    tokens = Math.min(limit.burst, tokens + ((t - at) / 1000) * limit.qps);
    at = t;
  };
  const timers = new Map<NodeJS.Timeout, () => void>();
  return {
    delayMs() {
      refill();
      return tokens >= 1 ? 0 : ((1 - tokens) / limit.qps) * 1000;
    },
    acquire() {
      refill();
      tokens -= 1;
      if (tokens >= 0) return Promise.resolve();
      const wait = (-tokens / limit.qps) * 1000;
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, wait);
        timers.set(t, resolve);
      });
    },
    stop() {
      // Waiters go on (their callers see the stop themselves) rather than hang forever.
      for (const [t, resolve] of timers) {
        clearTimeout(t);
        resolve();
      }
      timers.clear();
    },
  };
}
