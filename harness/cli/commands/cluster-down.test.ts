import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.ts';

describe('cluster down --name N finds N on the backend holding it', () => {
  const saved = { state: process.env.EBBFLOW_STATE_DIR, cache: process.env.EBBFLOW_CACHE_DIR };
  let state: string;
  type Spy = { mock: { calls: unknown[][] }; mockRestore(): void };
  let out: Spy;
  let err: Spy;
  const printed = (s: Spy) => s.mock.calls.map((c) => String(c[0])).join('');
  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'ebf-down-'));
    process.env.EBBFLOW_STATE_DIR = state;
    // No toolchain here: kind is not looked up beyond ebbflow's own state.
    process.env.EBBFLOW_CACHE_DIR = join(state, 'cache');
    out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of [['EBBFLOW_STATE_DIR', saved.state], ['EBBFLOW_CACHE_DIR', saved.cache]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('a name held nowhere: exit 2, never "is down"', async () => {
    expect(await main(['node', 'ebbflow', 'cluster', 'down', '--name', 'nowhere'])).toBe(2);
    expect(printed(out)).not.toContain('is down');
    expect(printed(err)).toContain('no cluster "nowhere": no local cluster and no kind cluster ebbflow-nowhere');
  });

  it('a kind cluster asked for on the local backend: exit 2 with the command that stops it, its state untouched', async () => {
    mkdirSync(join(state, 'kind', 'k1'), { recursive: true });
    expect(await main(['node', 'ebbflow', 'cluster', 'down', '--name', 'k1', '--backend', 'local'])).toBe(2);
    expect(printed(err)).toContain('cluster "k1" is not a local cluster: it is a kind cluster');
    expect(printed(err)).toContain('ebbflow cluster down --backend kind --cluster-name k1');
    expect(printed(out)).not.toContain('is down');
    expect(existsSync(join(state, 'kind', 'k1'))).toBe(true);
  });

  it('a name on both backends: exit 2 naming both, nothing stopped', async () => {
    mkdirSync(join(state, 'kind', 'both'), { recursive: true });
    mkdirSync(join(state, 'clusters', 'both'), { recursive: true });
    writeFileSync(join(state, 'clusters', 'both', 'cluster.json'), JSON.stringify({ name: 'both', createdAt: '', compression: 1, config: {} }));
    expect(await main(['node', 'ebbflow', 'cluster', 'down', '--name', 'both'])).toBe(2);
    expect(printed(err)).toContain('exists on two backends');
    expect(existsSync(join(state, 'clusters', 'both', 'cluster.json'))).toBe(true);
  });

  it('a local cluster\'s remains: stopped and removed, saying nothing was running', async () => {
    mkdirSync(join(state, 'clusters', 'old', 'procs'), { recursive: true });
    expect(await main(['node', 'ebbflow', 'cluster', 'down', '--name', 'old'])).toBe(0);
    expect(printed(out)).toContain('cluster "old" is down (nothing was running; its state is removed)');
    expect(existsSync(join(state, 'clusters', 'old'))).toBe(false);
  });

  it('--all leaves a kind cluster\'s records alone and says how to stop it', async () => {
    mkdirSync(join(state, 'kind', 'k2'), { recursive: true });
    mkdirSync(join(state, 'clusters', 'k2', 'procs'), { recursive: true });
    expect(await main(['node', 'ebbflow', 'cluster', 'down', '--all'])).toBe(0);
    expect(printed(err)).toContain('skipping "k2": it is the kind cluster ebbflow-k2 (stop it with `ebbflow cluster down --backend kind --cluster-name k2`)');
    expect(existsSync(join(state, 'clusters', 'k2', 'procs'))).toBe(true);
    expect(await main(['node', 'ebbflow', 'cluster', 'down', '--all', '--backend', 'kind'])).toBe(2);
  });
});
