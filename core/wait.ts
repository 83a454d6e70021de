import { Interrupted } from './component.ts';

/**
 * Thrown by a wait's condition when what it waits for can no longer come (the process that would
 * bring it has exited): the wait ends at once with this error instead of at its deadline.
 */
export class WaitGaveUp extends Error {}

/**
 * Polls `fn` until it returns a value (errors count as "not yet", except `WaitGaveUp`, which ends
 * the wait at once), or fails naming what it waited for; an aborted `signal` ends the wait with
 * `Interrupted`.
 */
export async function waitUntil<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, onTimeout?: () => string, everyMs = 200, signal?: AbortSignal): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (signal?.aborted) throw new Interrupted(`interrupted while waiting for ${what}`);
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof WaitGaveUp) throw e;
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (${(last as Error).message})` : ''}${onTimeout ? `\n${onTimeout()}` : ''}`);
    }
    await sleep(everyMs, signal);
  }
}

/** Waits `ms`, or less when `signal` aborts first (never rejects: the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
