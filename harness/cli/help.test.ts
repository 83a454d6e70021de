import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from './main.ts';
import { helpFooter } from './help.ts';

/** The full text `cmd --help` prints, including what addHelpText appends after the options. */
function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

function walk(cmd: Command, path: string[], visit: (c: Command, path: string[]) => void): void {
  visit(cmd, path);
  for (const sub of cmd.commands) walk(sub, [...path, sub.name()], visit);
}

describe('--help of every command', () => {
  it('ends with examples of the command itself and its exit codes', async () => {
    const program = await buildProgram();
    const seen: string[] = [];
    walk(program, ['ebbflow'], (c, path) => {
      const help = helpOf(c);
      const name = path.join(' ');
      seen.push(name);
      expect(help, name).toContain('\nExamples:\n');
      expect(help, name).toMatch(/\nExit codes: 0 [^\n]*2 bad input or environment/);
      const examples = help.slice(help.indexOf('\nExamples:\n')).split('\n').filter((l) => l.startsWith('  npx ebbflow '));
      expect(examples.length, name).toBeGreaterThanOrEqual(1);
      // A subcommand's examples call that subcommand, so that they can be pasted as they are.
      if (path.length > 1) for (const e of examples) expect(e, name).toContain(`npx ebbflow ${path.slice(1).join(' ')}`);
    });
    expect(seen).toEqual(expect.arrayContaining(['ebbflow simulate', 'ebbflow replay', 'ebbflow cluster up', 'ebbflow ci comment', 'ebbflow toolchain key']));
  });

  it('names exit 1 only where an expectation can fail', async () => {
    const program = await buildProgram();
    const sub = (path: string) => path.split(' ').reduce<Command>((c, n) => c.commands.find((s) => s.name() === n)!, program);
    expect(helpOf(sub('simulate'))).toContain('1 an expectation failed');
    expect(helpOf(sub('replay'))).toContain('130 interrupted (partial report written)');
    expect(helpOf(sub('init'))).not.toMatch(/Exit codes:.* 1 /);
    expect(helpOf(sub('toolchain key'))).not.toContain('130');
  });
});

describe('helpFooter', () => {
  it('writes the examples indented and the exit codes in order', () => {
    expect(helpFooter({ examples: ['npx ebbflow x --y'], failed: 'a check failed' })).toBe('\nExamples:\n  npx ebbflow x --y\n\nExit codes: 0 success, 1 a check failed, 2 bad input or environment, 130 interrupted.\n');
    expect(helpFooter({ examples: ['a', 'b'], ok: 'posted', interrupted: false })).toBe('\nExamples:\n  a\n  b\n\nExit codes: 0 posted, 2 bad input or environment.\n');
  });

  it('refuses no example or more than three', () => {
    expect(() => helpFooter({ examples: [] })).toThrow(/1 to 3 examples/);
    expect(() => helpFooter({ examples: ['a', 'b', 'c', 'd'] })).toThrow(/1 to 3 examples/);
  });
});
