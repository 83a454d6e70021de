import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../../core/errors.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { planReplay } from '../plan.ts';
import { clusterControllerNeeds } from './existing/pipeline.ts';
import { BACKEND_NAMES, backendNamed, checkBackend, refuseForeignFlags } from './index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const kubeconfig = (() => {
  const p = join(mkdtempSync(join(tmpdir(), 'ebf-backends-')), 'kubeconfig');
  writeFileSync(p, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: t}}]\n');
  return p;
})();
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

  it('a UnitedDeployment replays on the local and kind backends with OpenKruise\'s manager in the toolchain, and on an existing cluster through the cluster\'s own kruise', async () => {
    const plan = await planReplay({ scenario: await loadScenario(join(ROOT, 'kinds/placement/uniteddeployment/testdata/ack-hpa/scenario.yaml')) });
    expect(plan.system.placement.kind).toBe('UnitedDeployment');
    await expect(checkBackend('local', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['kube-apiserver', 'kruise-manager']) });
    await expect(checkBackend('kind', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['vk-eci', 'kruise-manager']) });
    // Nothing of kruise is built or started for someone else's cluster: its own manager is checked when the run starts.
    const existing = await checkBackend('existing', plan, { kubeconfig, namespace: 'ebbflow-ud' });
    expect(existing.toolchain).not.toContain('kruise-manager');
    expect(plan.ew?.metadata.namespace).toBe('ebbflow-ud');
    expect(clusterControllerNeeds(plan)).toEqual([{ kind: 'UnitedDeployment', apiVersion: 'apps.kruise.io/v1alpha1' }]);
    const tiny = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml')) });
    expect((await checkBackend('local', tiny, {})).toolchain).not.toContain('kruise-manager');
  });

  it('a ResourcePolicy replays on the local and kind backends with our scheduler in the toolchain, and on an existing cluster under the cluster\'s scheduler', async () => {
    const plan = await planReplay({ scenario: await loadScenario(join(ROOT, 'kinds/placement/resourcepolicy/testdata/ack/scenario.yaml')) });
    expect(plan.system.placement.kind).toBe('ResourcePolicy');
    await expect(checkBackend('local', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['kube-apiserver', 'resourcepolicy-scheduler']) });
    await expect(checkBackend('kind', plan, {})).resolves.toMatchObject({ toolchain: expect.arrayContaining(['vk-eci', 'resourcepolicy-scheduler']) });
    const existing = await checkBackend('existing', plan, { kubeconfig, namespace: 'ebbflow-rp' });
    expect(existing.toolchain).not.toContain('resourcepolicy-scheduler');
    // The policy goes into the run's namespace with the Deployment: its selector then matches the run's pods only.
    expect(plan.ew).toMatchObject({ kind: 'ResourcePolicy', metadata: { namespace: 'ebbflow-rp' } });
    expect(plan.manifests.businessDeployment.metadata.namespace).toBe('ebbflow-rp');
    expect(clusterControllerNeeds(plan).map((n) => n.kind)).toEqual(['ResourcePolicy']);
    const tiny = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml')) });
    expect((await checkBackend('kind', tiny, {})).toolchain).not.toContain('resourcepolicy-scheduler');
  });

  it('a ScaledObject replays on an existing cluster through its KEDA with a prometheus trigger; the SLS external scaler is refused', async () => {
    const prom = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/smoke-keda.yaml')) });
    await checkBackend('existing', prom, { kubeconfig, namespace: 'ebbflow-keda' });
    expect(clusterControllerNeeds(prom)).toEqual([{ kind: 'ScaledObject', apiVersion: 'keda.sh/v1alpha1' }]);
    expect(prom.hpa.metadata.namespace).toBe('ebbflow-keda');
    const sls = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/smoke-keda-sls.yaml')) });
    await expect(checkBackend('existing', sls, { kubeconfig, namespace: 'ebbflow-keda' })).rejects.toThrow(/asks the SLS external scaler, which replays on the local backend only/);
    const tiny = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml')) });
    expect(clusterControllerNeeds(tiny)).toEqual([]);
  });
});
