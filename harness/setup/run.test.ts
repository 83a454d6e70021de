import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.ts';
import { silentProgress } from '../../cluster/toolchain/progress.ts';
import type { SetupFacts, SetupStep } from './plan.ts';
import { runTestSetup } from './run.ts';

const BASES = ['ebbflow/debian-minbase:bookworm', 'ebbflow/node20-build:v20.1.2', 'ebbflow/node20-runtime:v20.1.2'];
const KIND = 'ebbflow/kind-node:v1.36.1-abc';
const complete: SetupFacts = {
  root: true,
  toolchainMissing: [],
  chromium: { path: '/usr/bin/chromium', present: true, fromEnv: false },
  docker: true,
  images: [...BASES, KIND],
  baseImages: BASES,
  kindNodeImage: KIND,
};

/** A machine whose facts change as steps run, the way the real steps change the real one. */
function machine(start: Partial<SetupFacts>, fix: Partial<Record<SetupStep['id'], Partial<SetupFacts>>>) {
  let facts: SetupFacts = { ...complete, ...start };
  const ran: string[] = [];
  const lines: string[] = [];
  return {
    ran,
    lines,
    opts: {
      say: (l: string) => lines.push(l),
      progress: silentProgress,
      rerun: 'npm test',
      probe: () => Promise.resolve(facts),
      runStep: (s: SetupStep) => {
        ran.push(s.id);
        facts = { ...facts, ...fix[s.id] };
        return Promise.resolve();
      },
    },
  };
}

describe('runTestSetup', () => {
  it('warm: runs nothing and prints one line', async () => {
    const m = machine({}, {});
    await runTestSetup(m.opts);
    expect(m.ran).toEqual([]);
    expect(m.lines).toEqual([expect.stringMatching(/^test set-up: present: chromium, toolchain, docker, base images, kind node image \(\d+\.\ds\)$/)]);
  });

  it('runs the missing steps in order with a numbered line before and after each, then checks again', async () => {
    const m = machine({ toolchainMissing: ['etcd'], docker: false, images: [] }, { toolchain: { toolchainMissing: [] }, docker: { docker: true, images: [] }, 'base-images': { images: BASES }, 'kind-node': { images: [...BASES, KIND] } });
    await runTestSetup(m.opts);
    expect(m.ran).toEqual(['toolchain', 'docker', 'base-images', 'kind-node']);
    expect(m.lines.filter((l) => l.startsWith('test set-up [')).map((l) => l.replace(/ — .*| done in .*/, ''))).toEqual([
      'test set-up [1/4]: toolchain install etcd',
      'test set-up [1/4]: toolchain install etcd',
      'test set-up [2/4]: start a Docker daemon',
      'test set-up [2/4]: start a Docker daemon',
      'test set-up [3/4]: assemble the Node 20 base images',
      'test set-up [3/4]: assemble the Node 20 base images',
      'test set-up [4/4]: toolchain install kind-node',
      'test set-up [4/4]: toolchain install kind-node',
    ]);
    expect(m.lines.at(-1)).toMatch(/^test set-up: ready in/);
  });

  it('not root: runs nothing at all and fails naming the root steps', async () => {
    const m = machine({ root: false, toolchainMissing: ['etcd'], docker: false, images: [] }, {});
    const err = await runTestSetup(m.opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('test set-up: not root, and 2 steps need root');
    expect((err as UserError).hint).toMatch(/sudo cluster\/kind\/docker-setup\.sh[\s\S]*sudo cluster\/kind\/node20-base\.sh/);
    expect(m.ran).toEqual([]);
  });

  it('a step that claims success but leaves its part missing is reported, not left to a failing test', async () => {
    const m = machine({ chromium: { path: '/usr/bin/chromium', present: false, fromEnv: false } }, {});
    const err = await runTestSetup(m.opts).catch((e: unknown) => e);
    expect(m.ran).toEqual(['apt']);
    expect((err as Error).message).toMatch(/still missing after the set-up ran: apt-get install chromium/);
  });
});
