import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../../core/errors.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { planReplay } from '../plan.ts';
import { BACKEND_NAMES, backendNamed, checkBackend, refuseForeignFlags } from './index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const userError = (f: () => unknown): UserError => {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
};

describe('the backend registry', () => {
  it('loads every registered backend, each with a run and cluster up/down, and refuses a name it does not know', async () => {
    expect(BACKEND_NAMES).toEqual(['local', 'kind', 'existing']);
    for (const name of BACKEND_NAMES) {
      const b = await backendNamed(name);
      expect(typeof b.prepare, name).toBe('function');
      expect(typeof b.cluster.up, name).toBe('function');
      expect(typeof b.cluster.down, name).toBe('function');
    }
    await expect(backendNamed('docker')).rejects.toThrow(/no backend "docker"/);
  });

  it('refuses the existing flags on other backends', () => {
    expect(userError(() => refuseForeignFlags('kind', { namespace: 'x', context: 'c' })).message).toBe('--context, --namespace applies to --backend existing only, not --backend kind');
    expect(() => refuseForeignFlags('local', {})).not.toThrow();
    expect(() => refuseForeignFlags('existing', { namespace: 'x' })).not.toThrow();
  });

  it('refuses, before anything starts, what a backend cannot run', async () => {
    const plan = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml')) });
    await expect(checkBackend('existing', plan, {})).rejects.toThrow(/needs --kubeconfig/);
    await expect(checkBackend('kind', plan, { kubeconfig: '/x' })).rejects.toThrow(/--backend existing only/);
    await expect(checkBackend('kind', { ...plan, scenario: { ...plan.scenario, source: { mode: 'events', heartbeatSeconds: 30 } } }, {})).rejects.toThrow(/tiny.yaml: source.mode events runs on the local backend only/);
    await expect(checkBackend('kind', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['kind', 'vk-eci']) });
  });

  it('a UnitedDeployment replays on the local and kind backends, whose toolchain then includes OpenKruise\'s manager', async () => {
    const plan = await planReplay({ scenario: await loadScenario(join(ROOT, 'kinds/placement/uniteddeployment/testdata/ack-hpa/scenario.yaml')) });
    expect(plan.system.placement.kind).toBe('UnitedDeployment');
    await expect(checkBackend('local', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['kube-apiserver', 'kruise-manager']) });
    await expect(checkBackend('kind', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['vk-eci', 'kruise-manager']) });
    await expect(checkBackend('existing', plan, { kubeconfig: '/nowhere', namespace: 'ebbflow-ud' })).rejects.toThrow(/a UnitedDeployment replays on the local and kind backends only/);
    const tiny = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml')) });
    expect((await checkBackend('local', tiny, {})).toolchain).not.toContain('kruise-manager');
  });

  it('a ResourcePolicy replays on the local and kind backends with our scheduler in the toolchain; the existing backend refuses it', async () => {
    const plan = await planReplay({ scenario: await loadScenario(join(ROOT, 'kinds/placement/resourcepolicy/testdata/ack/scenario.yaml')) });
    expect(plan.system.placement.kind).toBe('ResourcePolicy');
    await expect(checkBackend('local', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['kube-apiserver', 'resourcepolicy-scheduler']) });
    await expect(checkBackend('kind', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['vk-eci', 'resourcepolicy-scheduler']) });
    await expect(checkBackend('existing', plan, { kubeconfig: '/nowhere', namespace: 'ebbflow-rp' })).rejects.toThrow(/needs its own kube-scheduler/);
    const tiny = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml')) });
    expect((await checkBackend('kind', tiny, {})).toolchain).not.toContain('resourcepolicy-scheduler');
  });
});
