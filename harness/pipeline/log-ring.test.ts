import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { fileTail, LogRing, ringLogger } from './log-ring.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('LogRing', () => {
  it('keeps the last lines only, joins lines split across chunks, cuts long lines', () => {
    const r = new LogRing(3, 10);
    r.write('one\ntw');
    r.write('o\nthree\n\nfour\n');
    expect(r.lines()).toEqual(['two', 'three', 'four']);
    r.write(`${'x'.repeat(25)}\npartial`);
    expect(r.lines()).toEqual(['four', `${'x'.repeat(10)}…`, 'partial']);
  });

  it('stays bounded however much is written', () => {
    const r = new LogRing(5, 50);
    for (let i = 0; i < 100_000; i++) r.write(`line ${i}\n`);
    expect(r.lines()).toEqual(['line 99995', 'line 99996', 'line 99997', 'line 99998', 'line 99999']);
  });
});

describe('fileTail', () => {
  it('reads the last lines of a large log from its end only', () => {
    const d = mkdtempSync(join(tmpdir(), 'ebf-tail-'));
    dirs.push(d);
    const f = join(d, 'exporter.log');
    writeFileSync(f, Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(fileTail(f, 3, 1024)).toEqual(['line 199997', 'line 199998', 'line 199999']);
    expect(fileTail(join(d, 'missing.log'))).toEqual([]);
  });
});

describe('ringLogger', () => {
  it("keeps the exporter's info lines and hands each to the base logger at the base's level", () => {
    const seen: string[] = [];
    const base = pino({ level: 'warn' }, new Writable({ write: (c: Buffer, _e, cb) => (seen.push(c.toString()), cb()) }));
    const ring = new LogRing();
    const log = ringLogger(ring, base);
    log.info({ port: 1 }, 'serving');
    log.warn({ metric: 'active_devices', code: 'ENOTFOUND' }, 'getaddrinfo ENOTFOUND chat-prod.localhost');
    expect(ring.lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['serving', 'getaddrinfo ENOTFOUND chat-prod.localhost']);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!)).toMatchObject({ level: 40, metric: 'active_devices', code: 'ENOTFOUND', msg: 'getaddrinfo ENOTFOUND chat-prod.localhost' });
  });
});
