import type { KubeObject } from './index.ts';
import { isPinnedByDigest, podSpecs } from './policy.ts';

/**
 * What runs must not move under a tag: every container image of a production overlay pinned by
 * digest (`manifests check` reports the others as failures), and the base images of this package's
 * Dockerfiles read out so their tag-only defaults are documented with the pinning procedure
 * (manifests/README.md, "Base images"). Pure.
 */

/** The overlay whose images the harness builds and loads itself, tags and all. */
export const LOCAL_OVERLAY = 'local';
/** Overlays never applied to production, where tags are fine: local, and original-2020 (kept for `simulate`). */
export const NOT_FOR_PRODUCTION = [LOCAL_OVERLAY, 'original-2020'];

/** Each container image of a production overlay that is a tag, not a digest, with where it is. */
export function unpinnedImages(objects: KubeObject[], overlay: string): { object: string; message: string }[] {
  if (NOT_FOR_PRODUCTION.includes(overlay)) return [];
  const out: { object: string; message: string }[] = [];
  for (const p of podSpecs(objects)) {
    for (const c of [...(p.spec.initContainers ?? []), ...(p.spec.containers ?? [])]) {
      if (!c.image || isPinnedByDigest(c.image)) continue;
      out.push({
        object: `${p.owner} image`,
        message: `${p.owner}: container ${c.name}: image ${c.image} is pinned by tag, not by digest — a moved tag changes what runs; pin it in the overlay's images: (kustomize edit set image ${c.image.replace(/[:@].*$/, '')}=<registry path>@sha256:<digest>)`,
      });
    }
  }
  return out;
}

export interface DockerBase {
  /** The FROM reference with build args replaced by their defaults. */
  ref: string;
  /** The build arg that chooses it (`--build-arg NAME=…`), when it is one. */
  arg?: string;
  pinned: boolean;
}

/** The base images of a Dockerfile's stages (a stage built FROM an earlier stage is not a base). */
export function dockerfileBases(text: string): DockerBase[] {
  const defaults = new Map<string, string>();
  const stages = new Set<string>();
  const out: DockerBase[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S+))?/i.exec(line);
    if (arg && arg[2] !== undefined) defaults.set(arg[1]!, arg[2]!);
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    const name = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(from[1]!)?.[1];
    const ref = name ? (defaults.get(name) ?? from[1]!) : from[1]!;
    if (!stages.has(ref)) out.push({ ref, ...(name ? { arg: name } : {}), pinned: /@sha256:[0-9a-f]{64}$/.test(ref) });
    if (from[2]) stages.add(from[2]);
  }
  return out;
}
