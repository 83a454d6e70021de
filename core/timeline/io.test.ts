import { describe, expect, it } from 'vitest';
import { lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Timeline } from './format.ts';
import { parseTimeline, readTimeline, timelineToJsonl, TimelineWriter } from './io.ts';

const tl: Timeline = {
  meta: {
    kind: 'meta', version: 1, source: 'simulator', scenario: 's', start: 0, end: 120_000, compression: 1,
    constants: { hpaSyncPeriod: 15 }, devicesPerReplica: 1000, sourceMax: 2, notes: [],
  },
  samples: [
    {
      kind: 'sample', t: 60_000, devices: 2500, metric: 2400, needed: 3, hpa: { desired: 3, current: 3 },
      ew: { replicas: 3, source: 2, units: { 'nginx-unit-virtual-kubelet': 1 } },
      pods: { ecs: { ready: 2, pending: 0, failed: 0 }, eci: { ready: 0, pending: 1, failed: 0 } },
    },
  ],
  events: [{ kind: 'event', t: 30_000, type: 'hpa.rescale', from: 2, to: 3, reason: 'above target' }],
};

describe('timeline jsonl', () => {
  it('round-trips and orders records by time after meta', () => {
    const text = timelineToJsonl(tl);
    const kinds = text.trim().split('\n').map((l) => JSON.parse(l).kind);
    expect(kinds).toEqual(['meta', 'event', 'sample']);
    expect(parseTimeline(text)).toEqual(tl);
  });

  it('names the line of a bad record', () => {
    const text = timelineToJsonl(tl).replace('"devices":2500', '"devices":-1');
    expect(() => parseTimeline(text, 'x.jsonl')).toThrow(/x\.jsonl:3: devices/);
  });

  it('requires meta first', () => {
    expect(() => parseTimeline(JSON.stringify(tl.events[0]))).toThrow(/first record must be meta/);
  });

  it('writer output is readable back', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'tl-')), 't.jsonl');
    const w = new TimelineWriter(f);
    w.write(tl.meta);
    for (const e of tl.events) w.write(e);
    for (const s of tl.samples) w.write(s);
    await w.close();
    expect(await readTimeline(f)).toEqual(tl);
    expect(() => new TimelineWriter(join(f + 'dir-missing', 'x'))).toThrow(/ENOENT/);
    const w2 = new TimelineWriter(join(f + '.2'));
    expect(() => w2.write({ kind: 'note' } as never)).toThrow();
    await w2.close();
  });

  it('writer replaces a symlink at its path instead of truncating the file it points to', async () => {
    const d = mkdtempSync(join(tmpdir(), 'tl-link-'));
    writeFileSync(join(d, 'mine.txt'), 'precious\n');
    symlinkSync(join(d, 'mine.txt'), join(d, 'timeline.jsonl'));
    const w = new TimelineWriter(join(d, 'timeline.jsonl'));
    w.write(tl.meta);
    await w.close();
    expect(readFileSync(join(d, 'mine.txt'), 'utf8')).toBe('precious\n');
    expect(lstatSync(join(d, 'timeline.jsonl')).isFile()).toBe(true);
    expect((await readTimeline(join(d, 'timeline.jsonl'))).meta).toEqual(tl.meta);
  });
});
