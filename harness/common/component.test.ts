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
});
