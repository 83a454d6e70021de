import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What `*_build_info` and the landing page say about this exporter. The version is the package's,
 * as `ebbflow --version` prints it; the package.json is found by walking up from this file because
 * it sits one level up in a checkout or an npm install (exporter/) and two in the image (dist/exporter/).
 */
export interface BuildInfo {
  version: string;
  /** The source revision the image was built from (`docker build --build-arg REVISION=…`), if given. */
  revision?: string;
  nodejs: string;
}

export const PACKAGE_NAME = 'ebbflow';

export function packageVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from, i = 0; i < 4; i++, dir = dirname(dir)) {
    const f = join(dir, 'package.json');
    if (!existsSync(f)) continue;
    try {
      const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return pkg.version;
    } catch {
      // an unreadable package.json is not ours; keep looking
    }
  }
  return 'unknown';
}

export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  const revision = env.EXPORTER_REVISION?.trim();
  return { version: packageVersion(), ...(revision ? { revision } : {}), nodejs: process.version };
}
