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
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('--backend existing needs --kubeconfig');
    } finally {
      err.mockRestore();
    }
  });

  it('existing: flags checked strictly, refused on other backends, and cluster down refuses', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const said = () => err.mock.calls.map((c) => String(c[0])).join('');
    try {
      expect(await main(['node', 'ebbflow', 'cluster', 'up', '--backend', 'kind', '--namespace', 'ebf-x'])).toBe(2);
      expect(said()).toContain('--namespace applies to --backend existing only, not --backend kind');
      expect(await main(['node', 'ebbflow', 'cluster', 'up', '--kubeconfig', 'k.yaml'])).toBe(2);
      expect(said()).toContain('--kubeconfig applies to --backend existing only, not --backend local');
      expect(await main(['node', 'ebbflow', 'cluster', 'up', '--backend', 'existing', '--kubeconfig', 'no-such-kubeconfig.yaml'])).toBe(2);
      expect(said()).toContain('cannot read kubeconfig no-such-kubeconfig.yaml: no such file');
      expect(await main(['node', 'ebbflow', 'cluster', 'up', '--backend', 'existing', '--kubeconfig', 'k.yaml', '--namespace', 'kube-system'])).toBe(2);
      expect(said()).toContain('"kube-system" is a namespace the cluster needs');
      expect(await main(['node', 'ebbflow', 'cluster', 'up', '--backend', 'existing', '--kubeconfig', 'k.yaml', '--compression', '10'])).toBe(2);
      expect(said()).toContain('--compression does not apply to cluster up --backend existing');
      expect(await main(['node', 'ebbflow', 'cluster', 'down', '--backend', 'existing'])).toBe(2);
      expect(said()).toContain('ebbflow never stops a cluster it did not create');
    } finally {
      err.mockRestore();
    }
  });
});
