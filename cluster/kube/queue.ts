/**
 * A work queue with client-go's guarantees: a key is queued at most once, never processed by two
 * workers at once (a key added while it is processed runs again afterwards), and failures come back
 * with per-key exponential backoff. No npm package offers these semantics for Node, so it is written
 * here (a few dozen lines).
 */
export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, ms: number): void;
  addRateLimited(key: string): void;
  forget(key: string): void;
  /** Resolves with the next key, or undefined once the queue is shut down. */
  get(): Promise<string | undefined>;
  done(key: string): void;
  shutdown(): void;
  readonly length: number;
}

export function createWorkQueue(opts: { baseDelayMs?: number; maxDelayMs?: number } = {}): WorkQueue {
  const base = opts.baseDelayMs ?? 5;
  const cap = opts.maxDelayMs ?? 10_000;
  const queue: string[] = [];
  const dirty = new Set<string>();
  const processing = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let waiters: ((k: string | undefined) => void)[] = [];
  let closed = false;

  const add = (key: string) => {
    if (closed || dirty.has(key)) return;
    dirty.add(key);
    if (processing.has(key)) return;
    const w = waiters.shift();
    if (w) {
      dirty.delete(key);
      processing.add(key);
      w(key);
    } else queue.push(key);
  };
  const addAfter = (key: string, ms: number) => {
    if (closed) return;
    if (ms <= 0) return add(key);
    const t = setTimeout(() => {
      timers.delete(t);
      add(key);
    }, ms);
    timers.add(t);
  };
  return {
    add,
    addAfter,
    addRateLimited(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      addAfter(key, Math.min(cap, base * 2 ** n));
    },
    forget: (key) => void failures.delete(key),
    get() {
      if (closed) return Promise.resolve(undefined);
      const key = queue.shift();
      if (key !== undefined) {
        dirty.delete(key);
        processing.add(key);
        return Promise.resolve(key);
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    done(key) {
      processing.delete(key);
      if (dirty.has(key)) {
        dirty.delete(key);
        add(key);
      }
    },
    shutdown() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const ws = waiters;
      waiters = [];
      for (const w of ws) w(undefined);
    },
    get length() {
      return queue.length;
    },
  };
}
