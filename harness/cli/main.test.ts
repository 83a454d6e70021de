import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { buildProgram } from './main.ts';

describe('ebbflow CLI', () => {
  it('every command and subcommand has a description and --help', async () => {
    const program = await buildProgram();
    const walk = (c: typeof program, path: string[]): void => {
      expect(c.description(), `description of ${path.join(' ')}`).not.toBe('');
      for (const sub of c.commands) walk(sub as typeof program, [...path, sub.name()]);
    };
    walk(program, ['ebbflow']);
  });

  it('exits 0 on --help and 2 on an unknown command', () => {
    const out = execFileSync('node', ['bin/ebbflow.js', '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: ebbflow');
    const bad = spawnSync('node', ['bin/ebbflow.js', 'no-such-command'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown command');
  });

  it('--version prints the version of package.json', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const out = execFileSync('node', ['bin/ebbflow.js', '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(pkg.version);
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('describeUserError (the last resort)', () => {
  it('maps library errors that mean bad input to a one-line message, and leaves bugs alone', async () => {
    const { describeUserError } = await import('./main.ts');
    const { z } = await import('zod');
    const yamlErr = Object.assign(new Error('unexpected end of the stream\n\n 1 | a: [\n-----^'), { name: 'YAMLException' });
    expect(describeUserError(yamlErr)?.message).toBe('invalid YAML: unexpected end of the stream');
    const zodErr = z.object({ n: z.number() }).safeParse({ n: 'x' }).error;
    expect(describeUserError(zodErr)?.message).toMatch(/^invalid input: n: /);
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:80'), { code: 'EADDRINUSE' });
    expect(describeUserError(new Error('start failed', { cause: inUse }))?.message).toContain('EADDRINUSE');
    const csv = Object.assign(new Error('Invalid Closing Quote: got "root:secret" at line 2'), { code: 'CSV_INVALID_CLOSING_QUOTE', lines: 2 });
    expect(describeUserError(csv)?.message).toBe('invalid CSV at line 2 (CSV_INVALID_CLOSING_QUOTE)');
    expect(describeUserError(new TypeError("Cannot read properties of undefined (reading 'push')"))).toBeUndefined();
  });
});
