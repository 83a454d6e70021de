import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from './errors.ts';
import { isInsideDir, readUserFile, readUserFileSync } from './files.ts';

const dir = mkdtempSync(join(tmpdir(), 'ebbflow-files-'));
writeFileSync(join(dir, 'big'), 'x'.repeat(2048));
execFileSync('mkfifo', [join(dir, 'fifo')]);
mkdirSync(join(dir, 'sub'));
symlinkSync('/etc', join(dir, 'sub', 'out'));

describe('reading user files', () => {
  it.each([
    ['a missing file', join(dir, 'nope'), /cannot read thing .*nope: no such file/],
    ['a directory', join(dir, 'sub'), /cannot read thing .*sub: not a regular file/],
    ['a FIFO (would block forever)', join(dir, 'fifo'), /not a regular file/],
    ['an oversized file', join(dir, 'big'), /is 2048 bytes, more than the limit of 1024/],
  ])('%s is a UserError', async (_what, path, re) => {
    await expect(readUserFile(path, 'thing', { maxBytes: 1024 })).rejects.toThrow(re);
    expect(() => readUserFileSync(path, 'thing', { maxBytes: 1024 })).toThrow(UserError);
  });

  it('reads a regular file within the limit', async () => {
    expect((await readUserFile(join(dir, 'big'), 'thing')).length).toBe(2048);
    expect(readUserFileSync(join(dir, 'big'), 'thing').length).toBe(2048);
  });

  it('isInsideDir follows symlinks and is not fooled by names starting with dots', () => {
    expect(isInsideDir(dir, join(dir, 'sub', 'x.csv'))).toBe(true);
    expect(isInsideDir(dir, join(dir, '..foo'))).toBe(true);
    expect(isInsideDir(dir, join(dir, '..', 'x'))).toBe(false);
    expect(isInsideDir(dir, join(dir, 'sub', 'out', 'passwd'))).toBe(false);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
