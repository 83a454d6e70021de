import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from './errors.ts';
import { isInsideDir, makeOutputDir, readUserFile, readUserFileSync, writeOutputFile } from './files.ts';

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

describe('writing output files', () => {
  const out = join(dir, 'out');
  const victim = join(dir, 'victim.txt');

  it('replaces a symlink at the target instead of writing through it', () => {
    makeOutputDir(out);
    writeFileSync(victim, 'the user\'s own file\n');
    symlinkSync(victim, join(out, 'report.html'));
    writeOutputFile(join(out, 'report.html'), '<html>report</html>');
    expect(readFileSync(victim, 'utf8')).toBe('the user\'s own file\n');
    expect(lstatSync(join(out, 'report.html')).isFile()).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe('<html>report</html>');
  });

  it('replaces a hard link too, with a mode of at most 0644, and leaves no temporary file', () => {
    const shared = join(dir, 'shared.txt');
    writeFileSync(shared, 'shared\n');
    linkSync(shared, join(out, 'summary.md'));
    writeOutputFile(join(out, 'summary.md'), Buffer.from('# summary\n'));
    expect(readFileSync(shared, 'utf8')).toBe('shared\n');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe('# summary\n');
    expect(statSync(join(out, 'summary.md')).mode & 0o7777 & ~0o644).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a directory at the target, or no directory at all, is a UserError naming the path', () => {
    mkdirSync(join(out, 'results.json'));
    expect(() => writeOutputFile(join(out, 'results.json'), '{}')).toThrow(/cannot write .*results\.json: it is a directory/);
    expect(() => writeOutputFile(join(dir, 'missing', 'x.csv'), '')).toThrow(UserError);
    expect(() => makeOutputDir(join(victim, 'sub'))).toThrow(/cannot write .*victim\.txt\/sub: a part of its directory is not a directory/);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
