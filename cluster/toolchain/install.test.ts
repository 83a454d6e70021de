import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { goVersion, runGo } from './gobuild.ts';
import { installToolchain } from './install.ts';

function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return fn().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

describe('toolchain install errors', () => {
  it('says Go is missing when there is no go on PATH', async () => {
    const err = await withEnv({ PATH: '/nonexistent' }, () => goVersion().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/Go is not installed/);
  });

  it('says the module proxy is unreachable when modules cannot be fetched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-go-'));
    const err = await withEnv({ GOPROXY: 'off', GOMODCACHE: join(dir, 'mod'), GOFLAGS: '-mod=mod' }, () =>
      runGo(['mod', 'download', '-json', 'example.com/not/there@v1.0.0'], dir, 'probe').catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/probe: cannot fetch Go modules \(GOPROXY=off\)/);
  });
});

describe('toolchain lock', () => {
  it('two concurrent installs build once; the second finds the first one’s result', async () => {
    const env = { ...process.env, EBBFLOW_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ebf-lock-')) };
    const [a, b] = await Promise.all([
      installToolchain({ components: ['prometheus'], env }),
      installToolchain({ components: ['prometheus'], env }),
    ]);
    const cached = [a[0]!.cached, b[0]!.cached].sort();
    expect(cached).toEqual([false, true]);
    expect(a[0]!.manifest.binaries.prometheus).toBe(b[0]!.manifest.binaries.prometheus);
    // Idempotent: a third run builds nothing.
    expect((await installToolchain({ components: ['prometheus'], env }))[0]!.cached).toBe(true);
  }, 120_000);
});

describe('missingComponents', () => {
  it('lists every component for an empty cache, in recipe order, and none whose binaries are all overridden', async () => {
    const { missingComponents } = await import('./install.ts');
    const { COMPONENTS, recipeBinaries } = await import('./versions.ts');
    const env = { EBBFLOW_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ebf-missing-')) };
    expect(missingComponents(env)).toEqual(COMPONENTS.map((c) => c.name));
    const etcd = COMPONENTS.find((c) => c.name === 'etcd')!;
    const overrides = Object.fromEntries(recipeBinaries(etcd).map((b) => [`EBBFLOW_BIN_${b.toUpperCase().replace(/-/g, '_')}`, '/bin/true']));
    expect(missingComponents({ ...env, ...overrides })).toEqual(COMPONENTS.filter((c) => c !== etcd).map((c) => c.name));
  });
});
