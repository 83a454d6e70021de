import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { YAML_LIMITS } from '../core/config.ts';
import { isRemoteReference, MANIFEST_LIMITS, statOrUndefined, type ManifestReader } from './files.ts';

/**
 * Every file `kubectl kustomize` would read for a directory, walked and checked before kustomize
 * runs: kustomize follows `resources`, bases and components anywhere on disk, fetches HTTP
 * resources and clones git repositories, and reads generator and patch files as they are. Here each
 * reference must be a local path inside the allowed directories (symlinks followed) and each file a
 * regular, bounded one read through the ManifestReader; a URL or git reference is refused unless
 * `--allow-remote-manifests`. kustomize then reads only what was checked (a file swapped between the
 * walk and the render is outside this guarantee: the checkout is the user's own).
 */

const KUSTOMIZATIONS = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function kustomizationIn(dir: string): string | undefined {
  return KUSTOMIZATIONS.map((k) => join(dir, k)).find((f) => existsSync(f));
}

/** A file the closure read whose documents are Kubernetes objects, with its text (read once). */
export interface ClosureFile {
  file: string;
  text: string;
  /** resource: its objects are rendered; patch: a strategic-merge patch over them (where an overlay changes a value). */
  role: 'resource' | 'patch';
}

/** What a reference may be: a file, a kustomization directory, either, or also an inline YAML text. */
type RefKind = 'file' | 'dir' | 'any' | 'inline-or-file' | 'inline-or-any';

type Doc = Record<string, unknown>;
const isRecord = (v: unknown): v is Doc => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

class Walk {
  readonly files: ClosureFile[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly r: ManifestReader) {}

  kustomization(dir: string, depth: number): void {
    let real = dir;
    try {
      real = realpathSync(dir);
    } catch {
      // A directory that vanished is reported below, where its kustomization is looked for.
    }
    if (this.seen.has(real)) return;
    this.seen.add(real);
    if (this.seen.size > MANIFEST_LIMITS.kustomizations) throw this.r.fail(`more than ${MANIFEST_LIMITS.kustomizations} kustomizations`, 'point at the overlay that holds the system under test');
    if (depth > MANIFEST_LIMITS.depth) throw this.r.fail(`${this.r.shown(dir)}: kustomizations nested more than ${MANIFEST_LIMITS.depth} deep`, 'flatten the overlays');
    const file = kustomizationIn(dir);
    if (!file) throw this.r.fail(`${this.r.shown(dir)}: a directory without kustomization.yaml`, 'a directory kustomize reads needs its own kustomization.yaml');
    const k = this.parse(file, this.r.read(file, this.r.shown(file)));
    this.fields(file, k, depth);
  }

  private parse(file: string, text: string): Doc {
    const doc = YAML.parseDocument(text, { uniqueKeys: false });
    const err = doc.errors[0];
    if (err) throw this.r.fail(`${this.r.shown(file)}:${err.linePos?.[0]?.line ?? '?'}: not valid YAML: ${err.message.split('\n')[0]}`, 'fix the YAML syntax');
    let v: unknown;
    try {
      v = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch {
      throw this.r.fail(`${this.r.shown(file)}: too many YAML aliases (more than ${YAML_LIMITS.maxAliasCount} expanded)`, 'write the values out instead of nesting anchors');
    }
    if (v === null || v === undefined) return {};
    if (!isRecord(v)) throw this.r.fail(`${this.r.shown(file)}: not a kustomization (a YAML mapping)`, 'fix the kustomization');
    return v;
  }

  /** Every field of a kustomization that names a file or directory (kustomize v5). */
  private fields(file: string, k: Doc, depth: number): void {
    const ref = (field: string, v: unknown, kind: RefKind, role?: ClosureFile['role']) => this.ref(file, field, v, kind, depth, role);
    list(k.resources).forEach((v, i) => ref(`resources[${i}]`, v, 'any', 'resource'));
    list(k.bases).forEach((v, i) => ref(`bases[${i}]`, v, 'dir'));
    list(k.components).forEach((v, i) => ref(`components[${i}]`, v, 'dir'));
    list(k.crds).forEach((v, i) => ref(`crds[${i}]`, v, 'file', 'resource'));
    list(k.configurations).forEach((v, i) => ref(`configurations[${i}]`, v, 'file'));
    list(k.patchesStrategicMerge).forEach((v, i) => ref(`patchesStrategicMerge[${i}]`, v, 'inline-or-file', 'patch'));
    for (const f of ['generators', 'transformers', 'validators']) list(k[f]).forEach((v, i) => ref(`${f}[${i}]`, v, 'inline-or-any'));
    list(k.patches).forEach((p, i) => isRecord(p) && p.path !== undefined && ref(`patches[${i}].path`, p.path, 'file', 'patch'));
    list(k.patchesJson6902).forEach((p, i) => isRecord(p) && p.path !== undefined && ref(`patchesJson6902[${i}].path`, p.path, 'file'));
    list(k.replacements).forEach((p, i) => isRecord(p) && p.path !== undefined && ref(`replacements[${i}].path`, p.path, 'file'));
    if (isRecord(k.openapi) && k.openapi.path !== undefined) ref('openapi.path', k.openapi.path, 'file');
    for (const gen of ['configMapGenerator', 'secretGenerator']) {
      list(k[gen]).forEach((g, i) => {
        if (!isRecord(g)) return;
        // A files entry is `path` or `key=path`.
        list(g.files).forEach((f, j) => ref(`${gen}[${i}].files[${j}]`, typeof f === 'string' ? f.slice(f.indexOf('=') + 1) : f, 'file'));
        list(g.envs).forEach((f, j) => ref(`${gen}[${i}].envs[${j}]`, f, 'file'));
        if (g.env !== undefined) ref(`${gen}[${i}].env`, g.env, 'file');
      });
    }
  }

  private ref(file: string, field: string, v: unknown, kind: RefKind, depth: number, role?: ClosureFile['role']): void {
    const at = `${this.r.shown(file)}: ${field}`;
    if (typeof v !== 'string' || v.trim() === '') throw this.r.fail(`${at}: not a path`, 'each entry is a path relative to the kustomization');
    const inline = kind === 'inline-or-file' || kind === 'inline-or-any';
    if (inline && v.includes('\n')) return;
    if (isRemoteReference(v)) {
      if (this.r.src.grants.allowRemote) return;
      throw this.r.fail(
        `${at} ${v}: a remote resource — kustomize would fetch it over the network (a URL or a git repository)`,
        'keep a copy in the repository and point at it, or pass --allow-remote-manifests if you trust these manifests and the network they reach',
      );
    }
    const p = resolve(dirname(file), v);
    this.r.confine(p, `${at} ${v}`);
    const st = statOrUndefined(p);
    // An entry of a field that also takes inline YAML and names no file is that inline YAML.
    if (!st && inline) return;
    if (!st) throw this.r.fail(`${at} ${v}: no such file or directory`, 'paths in a kustomization are relative to its directory');
    if (st.isDirectory()) {
      if (kind === 'file' || kind === 'inline-or-file') throw this.r.fail(`${at} ${v}: a directory where kustomize reads a file`, 'name the file');
      this.kustomization(p, depth + 1);
      return;
    }
    if (kind === 'dir') throw this.r.fail(`${at} ${v}: a file where kustomize reads a kustomization directory`, 'name the directory that holds its kustomization.yaml');
    const text = this.r.read(p, `${at} ${v}`);
    if (role) this.files.push({ file: p, text, role });
  }
}

/** Checks every file the kustomization in `dir` would make kustomize read; returns the object and patch files among them. */
export function kustomizeClosure(dir: string, reader: ManifestReader): ClosureFile[] {
  const w = new Walk(reader);
  w.kustomization(dir, 0);
  return w.files;
}
