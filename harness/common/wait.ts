/** Polls `fn` until it returns a value (errors count as "not yet"), or fails naming what it waited for. */
export async function waitUntil<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, onTimeout?: () => string, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (${(last as Error).message})` : ''}${onTimeout ? `\n${onTimeout()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
