import { createHash } from 'node:crypto';
import { sourceHash } from './extra.ts';
import { DEFAULT_COMPONENTS, type Component } from './versions.ts';

/**
 * A key for CI caches of the toolchain directory: it changes exactly when a rebuild would happen — a
 * pinned version or recipe in versions.ts, or the source of a go-local component. Platform and
 * architecture are in it too, since the cache holds native binaries. Optional components (built on
 * demand) are not in it: adding one does not invalidate every CI cache.
 */
export function toolchainKey(components: Component[] = DEFAULT_COMPONENTS, platform = `${process.platform}-${process.arch}`): string {
  const h = createHash('sha256');
  h.update(platform).update('\0');
  for (const c of components) {
    h.update(JSON.stringify(c.recipe)).update('\0');
    if (c.recipe.kind === 'go-local') h.update(sourceHash(c.recipe)).update('\0');
  }
  return `ebbflow-toolchain-${platform}-${h.digest('hex').slice(0, 16)}`;
}
