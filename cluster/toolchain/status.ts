import { locateBinary, envOverrideName } from './paths.ts';
import { probeVersion, versionMatches } from './version-probe.ts';
import { binaryOwners } from './versions.ts';

export interface BinaryStatus {
  binary: string;
  component: string;
  pinned: string;
  state: 'installed' | 'missing';
  from?: 'env' | 'cache' | 'system';
  path?: string;
  reported?: string;
  versionOk?: boolean;
  envVar: string;
  /** Built on demand (not by a plain install): missing is not a failure. */
  optional?: boolean;
}

export async function toolchainStatus(opts: { probe?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<BinaryStatus[]> {
  const out: BinaryStatus[] = [];
  for (const [binary, c] of binaryOwners()) {
    const found = locateBinary(binary, opts.env);
    const s: BinaryStatus = {
      binary,
      component: c.name,
      pinned: c.recipe.version,
      state: found ? 'installed' : 'missing',
      envVar: envOverrideName(binary),
      ...(c.optional ? { optional: true } : {}),
    };
    if (found) {
      s.from = found.from;
      s.path = found.path;
      if (opts.probe !== false) {
        s.reported = await probeVersion(binary, found.path);
        s.versionOk = versionMatches(c.recipe.version, s.reported);
      }
    }
    out.push(s);
  }
  return out;
}
