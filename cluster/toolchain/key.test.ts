import { describe, expect, it } from 'vitest';
import { toolchainKey } from './key.ts';
import { COMPONENTS, type Component } from './versions.ts';

describe('toolchainKey', () => {
  it('is stable, and changes with a pinned version or the platform', () => {
    const a = toolchainKey(COMPONENTS, 'linux-x64');
    expect(toolchainKey(COMPONENTS, 'linux-x64')).toBe(a);
    expect(a).toMatch(/^ebbflow-toolchain-linux-x64-[0-9a-f]{16}$/);
    const bumped: Component[] = COMPONENTS.map((c) => (c.name === 'etcd' ? { ...c, recipe: { ...c.recipe, version: 'v9.9.9' } as Component['recipe'] } : c));
    expect(toolchainKey(bumped, 'linux-x64')).not.toBe(a);
    expect(toolchainKey(COMPONENTS, 'darwin-arm64')).not.toBe(a);
  });

  it('covers the components a plain install builds: an optional one (built on demand) changes no CI cache', () => {
    expect(toolchainKey(undefined, 'linux-x64')).toBe(toolchainKey(COMPONENTS.filter((c) => !c.optional), 'linux-x64'));
    expect(toolchainKey(undefined, 'linux-x64')).not.toBe(toolchainKey(COMPONENTS, 'linux-x64'));
  });
});
