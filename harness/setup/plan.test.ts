import { describe, expect, it } from 'vitest';
import { describePlan, planTestSetup, rootStepsMessage, rootStepsNeeded, type SetupFacts } from './plan.ts';

const BASES = ['ebbflow/debian-minbase:bookworm', 'ebbflow/node20-build:v20.1.2', 'ebbflow/node20-runtime:v20.1.2'];
const KIND = 'ebbflow/kind-node:v1.36.1-abc';

/** A machine with everything the tests need. */
function ready(over: Partial<SetupFacts> = {}): SetupFacts {
  return {
    root: false,
    toolchainMissing: [],
    chromium: { path: '/usr/bin/chromium', present: true, fromEnv: false },
    docker: true,
    images: [...BASES, KIND, 'busybox:latest'],
    baseImages: BASES,
    kindNodeImage: KIND,
    ...over,
  };
}

/** A fresh Debian machine: only Node, Go and npm ci. */
function fresh(root: boolean): SetupFacts {
  return ready({ root, toolchainMissing: ['kubernetes', 'etcd', 'sls-python-sdk'], pythonVenv: false, chromium: { path: '/usr/bin/chromium', present: false, fromEnv: false }, docker: false, images: [] });
}

describe('test set-up plan', () => {
  it('has nothing to do when everything is present, and says what it found', () => {
    const plan = planTestSetup(ready());
    expect(plan.steps).toEqual([]);
    expect(plan.present).toEqual(['chromium', 'toolchain', 'docker', 'base images', 'kind node image']);
    expect(describePlan(plan, { root: false })).toMatch(/nothing to do/);
  });

  it('on a fresh machine runs every step in dependency order: packages, toolchain, Docker, bases, kind node', () => {
    const plan = planTestSetup(fresh(true));
    expect(plan.steps.map((s) => s.id)).toEqual(['apt', 'toolchain', 'docker', 'base-images', 'kind-node']);
    expect(plan.steps[0]!.items).toEqual(['python3-venv', 'chromium']);
    expect(plan.steps[1]!.items).toEqual(['kubernetes', 'etcd', 'sls-python-sdk']);
    expect(plan.steps[3]!.items).toEqual(BASES);
    expect(rootStepsNeeded(plan, { root: true })).toEqual([]);
  });

  it('asks for python3-venv only while the Python SDK still has to be installed into a venv', () => {
    expect(planTestSetup(ready({ toolchainMissing: ['sls-python-sdk'], pythonVenv: false })).steps[0]).toMatchObject({ id: 'apt', items: ['python3-venv'] });
    expect(planTestSetup(ready({ toolchainMissing: ['sls-python-sdk'], pythonVenv: true })).steps.map((s) => s.id)).toEqual(['toolchain']);
    expect(planTestSetup(ready({ toolchainMissing: ['etcd'], pythonVenv: false })).steps.map((s) => s.id)).toEqual(['toolchain']);
  });

  it('installs Debian\'s Chromium only when EBBFLOW_CHROMIUM does not name another; a wrong EBBFLOW_CHROMIUM is a problem, not a step', () => {
    const missing = planTestSetup(ready({ chromium: { path: '/usr/bin/chromium', present: false, fromEnv: false } }));
    expect(missing.steps).toMatchObject([{ id: 'apt', items: ['chromium'], root: true }]);
    const wrong = planTestSetup(ready({ chromium: { path: '/opt/none/chrome', present: false, fromEnv: true } }));
    expect(wrong.steps).toEqual([]);
    expect(wrong.problems).toEqual([expect.stringContaining('EBBFLOW_CHROMIUM is /opt/none/chrome')]);
  });

  it('builds only the missing images: a kind node image alone needs no root', () => {
    const plan = planTestSetup(ready({ images: BASES }));
    expect(plan.steps).toMatchObject([{ id: 'kind-node', root: false, items: [KIND] }]);
    expect(rootStepsNeeded(plan, { root: false })).toEqual([]);
    const runtime = planTestSetup(ready({ images: [BASES[0]!, BASES[1]!, KIND] }));
    expect(runtime.steps).toMatchObject([{ id: 'base-images', root: true, items: [BASES[2]] }]);
  });

  it('without a Docker daemon assumes every image missing (its steps are idempotent)', () => {
    const plan = planTestSetup(ready({ docker: false, images: [] }));
    expect(plan.steps.map((s) => s.id)).toEqual(['docker', 'base-images', 'kind-node']);
  });

  it('not root on a fresh machine: names exactly the root steps, as commands, and the command to re-run', () => {
    const facts = fresh(false);
    const plan = planTestSetup(facts);
    const blocked = rootStepsNeeded(plan, facts);
    expect(blocked.map((s) => s.id)).toEqual(['apt', 'docker', 'base-images']);
    const msg = rootStepsMessage(blocked, 'npm test');
    expect(msg.split('\n').filter((l) => l.startsWith('  sudo '))).toEqual([
      expect.stringContaining("sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv chromium'"),
      expect.stringContaining('sudo cluster/kind/docker-setup.sh'),
      expect.stringContaining('sudo cluster/kind/node20-base.sh'),
    ]);
    expect(msg).toMatch(/then run `npm test` again/);
    expect(describePlan(plan, facts)).toMatch(/NEEDS ROOT {2}start a Docker daemon/);
    expect(describePlan(plan, facts)).toMatch(/ {2}run {9}toolchain install kubernetes etcd sls-python-sdk/);
  });
});
