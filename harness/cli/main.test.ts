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
});
