import { describe, expect, it } from 'vitest';
import { Interrupted, Stack, withStack, type Component } from './component.ts';

function fake(name: string, log: string[], o: { failStart?: boolean; failStop?: boolean; startMs?: number } = {}): Component {
  return {
    name,
    async start() {
      log.push(`start ${name}`);
      if (o.startMs) await new Promise((r) => setTimeout(r, o.startMs));
      if (o.failStart) throw new Error(`${name} failed`);
    },
    async ready() {
      log.push(`ready ${name}`);
    },
    async stop() {
      log.push(`stop ${name}`);
      if (o.failStop) throw new Error(`${name} stop failed`);
    },
  };
}

describe('Stack', () => {
  it('starts in order and stops in reverse', async () => {
    const log: string[] = [];
    const { stopFailures } = await withStack({}, async (s) => {
      await s.upAll([fake('a', log), fake('b', log)]);
      expect(s.names).toEqual(['a', 'b']);
    });
    expect(log).toEqual(['start a', 'ready a', 'start b', 'ready b', 'stop b', 'stop a']);
    expect(stopFailures).toEqual([]);
  });

  it('a failed start stops what was started, the failing component included, and rethrows', async () => {
    const log: string[] = [];
    const s = new Stack();
    await expect(s.upAll([fake('a', log), fake('b', log, { failStart: true }), fake('c', log)])).rejects.toThrow('b failed');
    expect(log).toEqual(['start a', 'ready a', 'start b', 'stop b', 'stop a']);
  });

  it('an abort during a slow start raises Interrupted and still stops everything, after the start settles', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const s = new Stack({ signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(s.upAll([fake('a', log), fake('slow', log, { startMs: 200 }), fake('never', log)])).rejects.toBeInstanceOf(Interrupted);
    expect(log).toEqual(['start a', 'ready a', 'start slow', 'stop slow', 'stop a']);
  });

  it('stop is idempotent and reports failures without throwing', async () => {
    const log: string[] = [];
    const s = new Stack();
    await s.upAll([fake('a', log), fake('b', log, { failStop: true })]);
    const [f1, f2] = await Promise.all([s.stop(), s.stop()]);
    expect(f1).toBe(f2);
    expect(f1.map((f) => f.component)).toEqual(['b']);
    expect(log.filter((l) => l.startsWith('stop'))).toEqual(['stop b', 'stop a']);
    await expect(s.up(fake('late', log))).rejects.toThrow(/stopping/);
  });

  it('a stop that hangs is abandoned after the timeout and the rest still stop', async () => {
    const log: string[] = [];
    const hang: Component = { name: 'hang', start: async () => {}, stop: () => new Promise(() => {}) };
    const s = new Stack({ stopTimeoutMs: 50 });
    await s.upAll([fake('a', log), hang]);
    const failures = await s.stop();
    expect(failures.map((f) => f.component)).toEqual(['hang']);
    expect(log).toContain('stop a');
  });

  it('upConcurrently starts independent components at the same time and still stops in reverse of start order', async () => {
    const log: string[] = [];
    const gate = deferred();
    // b's start only finishes once a has started: sequential starting would never get there.
    const a: Component = { name: 'a', start: async () => void log.push('start a'), ready: () => gate.promise, stop: async () => void log.push('stop a') };
    const b: Component = { name: 'b', start: async () => { log.push('start b'); gate.resolve(); }, stop: async () => void log.push('stop b') };
    const s = new Stack();
    await s.upConcurrently([a, b]);
    expect(s.names).toEqual(['a', 'b']);
    expect(s.timings.map((t) => t.component).sort()).toEqual(['a', 'b']);
    await s.stop();
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('a failing branch stops its siblings early (their signal aborts) and the failure, not the sibling\'s Interrupted, is thrown', async () => {
    const log: string[] = [];
    let siblingSaw: AbortSignal | undefined;
    const slow: Component = {
      name: 'slow',
      start: (ctx) => new Promise<void>((_, reject) => {
        siblingSaw = ctx.signal;
        ctx.signal.addEventListener('abort', () => reject(new Interrupted('slow gave up')), { once: true });
      }),
      stop: async () => void log.push('stop slow'),
    };
    const s = new Stack();
    const chain = async () => {
      await s.up(fake('x', log));
      await s.up(fake('y', log, { failStart: true }));
      await s.up(fake('never', log));
    };
    await expect(s.concurrently([() => s.up(slow), chain])).rejects.toThrow('y failed');
    expect(siblingSaw?.aborted).toBe(true);
    expect(log).not.toContain('start never');
    expect(log.filter((l) => l.startsWith('stop'))).toEqual(['stop y', 'stop x', 'stop slow']);
  });

  it('an abort while branches start raises Interrupted and stops everything', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const s = new Stack({ signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(s.upConcurrently([fake('a', log, { startMs: 200 }), fake('b', log)])).rejects.toBeInstanceOf(Interrupted);
    expect(log.filter((l) => l.startsWith('stop')).sort()).toEqual(['stop a', 'stop b']);
  });

  it('records each component\'s start-to-ready time', async () => {
    const s = new Stack();
    await s.upAll([fake('a', [], { startMs: 30 }), fake('b', [])]);
    const [a, b] = s.timings;
    expect(a!.component).toBe('a');
    expect(a!.to - a!.from).toBeGreaterThanOrEqual(0.025);
    expect(b!.from).toBeGreaterThanOrEqual(a!.to);
    await s.stop();
  });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
