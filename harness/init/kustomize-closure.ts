import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * What a team's manifests are made of, pure over a small file-system view: for a kustomize
 * directory, every kustomization it reaches through `resources`, `bases` and `components` (an
 * overlay's HPA often lives in a base outside the overlay), and the YAML files those list or patch
 * with; for a folder of YAML, the folder; for a file, the file. `init` turns the directories into
 * the workflow's `paths:` filter and reads the files for the HPA's target. Remote resources (URLs,
 * `?ref=`) are outside any filter and skipped.
 */

export interface ClosureFs {
  /** The text of a file, undefined when it is not a readable file. */
  read(path: string): string | undefined;
  isDir(path: string): boolean;
  /** The YAML files of a plain folder (no kustomization), recursively, absolute. */
  yamlFilesUnder(dir: string): string[];
}

export interface Closure {
  /** Directories whose every change matters (kustomization roots, a plain folder), absolute, outermost only. */
  dirs: string[];
  /** Manifest files in the order kustomize reads them (resources before patches), absolute. */
  files: string[];
}

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const isRemote = (ref: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(ref) || ref.includes('?ref=') || ref.startsWith('git@');

interface Kustomization {
  resources?: unknown;
  bases?: unknown;
  components?: unknown;
  patches?: unknown;
  patchesStrategicMerge?: unknown;
  patchesJson6902?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const patchPaths = (v: unknown): string[] => (Array.isArray(v) ? v.map((x: { path?: unknown }) => x?.path).filter((x): x is string => typeof x === 'string') : []);

export function kustomizeClosure(start: string, fs: ClosureFs): Closure {
  const dirs: string[] = [];
  const files: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    if (!fs.isDir(path)) {
      if (fs.read(path) !== undefined) files.push(path);
      return;
    }
    const kfile = KUSTOMIZATION_NAMES.map((n) => join(path, n)).find((f) => fs.read(f) !== undefined);
    dirs.push(path);
    if (!kfile) {
      files.push(...fs.yamlFilesUnder(path));
      return;
    }
    let k: Kustomization;
    try {
      k = (parse(fs.read(kfile)!) ?? {}) as Kustomization;
    } catch {
      return; // an unreadable kustomization: its directory is still filtered; kustomize itself will name the error
    }
    const local = (refs: string[]) => refs.filter((r) => !isRemote(r)).map((r) => resolve(dirname(kfile), r));
    for (const r of local([...strings(k.resources), ...strings(k.bases), ...strings(k.components)])) visit(r);
    // A strategic-merge entry may be an inline patch rather than a path.
    const patchFiles = local([...patchPaths(k.patches), ...strings(k.patchesStrategicMerge).filter((p) => !p.includes('\n')), ...patchPaths(k.patchesJson6902)]);
    for (const p of patchFiles) if (fs.read(p) !== undefined && !files.includes(p)) files.push(p);
  };
  visit(resolve(start));
  return { dirs: outermost(dirs), files };
}

/** Drops a directory that lies inside another one of the list (its filter is already covered). */
function outermost(dirs: string[]): string[] {
  return dirs.filter((d) => !dirs.some((o) => o !== d && (d + '/').startsWith(o.endsWith('/') ? o : o + '/')));
}
