import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseDownBackend, kindClusterNames, kindOwnedLabels, type Whereabouts } from './locate.ts';

const w = (local: Whereabouts['local'], kind: boolean): Whereabouts => ({ local, kind });

describe('cluster down: which backend holds the name', () => {
  it('without --backend, the one backend that holds it; records beside a kind cluster are that cluster\'s', () => {
    expect(chooseDownBackend('n', undefined, w('cluster', false))).toBe('local');
    expect(chooseDownBackend('n', undefined, w('records', false))).toBe('local');
    expect(chooseDownBackend('n', undefined, w('none', true))).toBe('kind');
    expect(chooseDownBackend('n', undefined, w('records', true))).toBe('kind');
  });

  it('on two backends: exit 2 naming both commands, nothing chosen', () => {
    expect(() => chooseDownBackend('n', undefined, w('cluster', true))).toThrow(/exists on two backends: a local cluster and the kind cluster ebbflow-n/);
    try {
      chooseDownBackend('n', undefined, w('cluster', true));
    } catch (e) {
      expect((e as { hint?: string }).hint).toBe('say which: `ebbflow cluster down --backend local --cluster-name n` or `ebbflow cluster down --backend kind --cluster-name n`');
    }
  });

  it('nowhere, or not on the backend asked for: exit 2 saying where it is and the command that stops it', () => {
    expect(() => chooseDownBackend('n', undefined, w('none', false))).toThrow(/no cluster "n": no local cluster and no kind cluster ebbflow-n/);
    expect(() => chooseDownBackend('n', 'local', w('none', true))).toThrow(/cluster "n" is not a local cluster: it is a kind cluster/);
    expect(() => chooseDownBackend('n', 'kind', w('cluster', false))).toThrow(/cluster "n" is not a kind cluster: it is a local cluster/);
    expect(() => chooseDownBackend('n', 'kind', w('none', false))).toThrow(/no kind cluster "n"/);
    expect(chooseDownBackend('n', 'local', w('cluster', true))).toBe('local');
    expect(chooseDownBackend('n', 'kind', w('cluster', true))).toBe('kind');
  });

  it('finds ebbflow\'s kind clusters by their state directories without kind or Docker', async () => {
    const state = mkdtempSync(join(tmpdir(), 'ebf-kind-state-'));
    for (const d of ['a', 'Not_A_Name']) mkdirSync(join(state, 'kind', d), { recursive: true });
    const names = await kindClusterNames({ ...process.env, EBBFLOW_STATE_DIR: state, EBBFLOW_CACHE_DIR: join(state, 'no-cache') });
    expect([...names]).toEqual(['a']);
  });
});

describe('cluster down --backend kind: which host processes are the kind cluster\'s', () => {
  const labels = ['vk-eci', 'resourcepolicy-scheduler', 'prometheus'];
  it('all of them without a local cluster of that name (a killed replay\'s scheduler included), only vk-eci beside one', () => {
    expect(kindOwnedLabels(labels, false, 'vk-eci')).toEqual(labels);
    expect(kindOwnedLabels(labels, true, 'vk-eci')).toEqual(['vk-eci']);
  });
});
