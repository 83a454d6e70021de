import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseYamlConfig } from './config.ts';

const schema = z.strictObject({
  name: z.string(),
  pools: z.array(z.strictObject({ count: z.number().int().nonnegative(), cpu: z.string() })),
});

function issuesOf(text: string) {
  try {
    parseYamlConfig(text, schema, 'cfg.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('parseYamlConfig', () => {
  it('returns typed data for valid input', () => {
    expect(parseYamlConfig('name: a\npools:\n- {count: 2, cpu: "4"}\n', schema, 'cfg.yaml')).toEqual({
      name: 'a',
      pools: [{ count: 2, cpu: '4' }],
    });
  });

  it('names file, line and field of a bad value', () => {
    const [i] = issuesOf('name: a\npools:\n  - count: -3\n    cpu: "4"\n');
    expect(i).toMatchObject({ file: 'cfg.yaml', line: 3, field: 'pools[0].count' });
  });

  it('points an unknown key at the key itself', () => {
    const [i] = issuesOf('name: a\npools:\n  - count: 1\n    cpu: "4"\n    colour: red\n');
    expect(i).toMatchObject({ line: 5, field: 'pools[0].colour' });
  });

  it('reports YAML syntax errors with a line', () => {
    const [i] = issuesOf('name: a\npools: [\n');
    expect(i?.file).toBe('cfg.yaml');
    expect(i?.line).toBeGreaterThan(0);
  });

  it('reports a missing required field at its parent', () => {
    const [i] = issuesOf('pools: []\n');
    expect(i).toMatchObject({ field: 'name' });
  });
});

describe('hostile YAML', () => {
  it('refuses an alias bomb with a clear error instead of expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)];
    const [i] = issuesOf(`${levels.join('\n')}\n`);
    expect(i?.message).toMatch(/too many YAML aliases/);
  });

  it('refuses an oversized file before parsing it', () => {
    const [i] = issuesOf(`name: a\n# ${'x'.repeat(1024 * 1024)}\n`);
    expect(i?.message).toMatch(/more than 1048576 characters/);
  });

  it('refuses duplicate keys', () => {
    const [i] = issuesOf('name: a\nname: b\npools: []\n');
    expect(i?.line).toBe(2);
  });
});
