import { installToolchain } from './install.ts';
import { locateBinary } from './paths.ts';
import type { ToolchainProgress } from './progress.ts';
import { binaryOwners } from './versions.ts';

/**
 * Paths for the named binaries, installing the components that are missing first. This is what
 * lets `ebbflow replay` run on a fresh machine with no separate set-up step.
 */
export async function ensureBinaries(names: string[], progress?: ToolchainProgress): Promise<Record<string, string>> {
  const owners = binaryOwners();
  const missing = new Set<string>();
  for (const n of names) {
    if (!locateBinary(n)) {
      const c = owners.get(n);
      if (!c) throw new Error(`unknown toolchain binary ${n}`);
      missing.add(c.name);
    }
  }
  if (missing.size > 0) await installToolchain({ components: [...missing], progress });
  const out: Record<string, string> = {};
  for (const n of names) {
    const f = locateBinary(n);
    if (!f) throw new Error(`${n} still missing after install`);
    out[n] = f.path;
  }
  return out;
}
