import { describe, expect, it, vi } from 'vitest';
import { backend } from '../options.ts';
import { main } from '../main.ts';

describe('--backend on cluster up/down', () => {
  it('accepts local, kind and existing only', () => {
    expect(backend('kind')).toBe('kind');
    expect(() => backend('docker')).toThrow(/expected one of local, kind, existing/);
  });

  it('exits 2 before starting anything for a bad backend, local-only flags on kind, or up of an existing cluster', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['node', 'ebbflow', 'cluster', 'up', '--backend', 'docker'])).toBe(2);
      expect(await main(['node', 'ebbflow', 'cluster', 'up', '--backend', 'kind', '--ecs-nodes', '3'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('--ecs-nodes applies to the local backend only');
      expect(await main(['node', 'ebbflow', 'cluster', 'up', '--backend', 'existing'])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
