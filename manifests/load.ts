import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { ensureBinaries } from '../cluster/toolchain/index.ts';
import { UserError } from '../core/errors.ts';
import type { KubeObject, SourcedObject } from '../kinds/model/objects.ts';

/**
 * A team's manifests from a path: a kustomize directory (rendered with the pinned kubectl's
 * kustomize, as `kubectl apply -k` would), a folder of YAML files (read recursively), or one
 * multi-document file. Each object keeps the file it came from, for error messages.
 */

const KUSTOMIZATIONS = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const isYaml = (f: string) => /\.ya?ml$/i.test(f);

export function kustomizationIn(dir: string): string | undefined {
  return KUSTOMIZATIONS.map((k) => join(dir, k)).find((f) => existsSync(f));
}

/** Every document of a YAML text; a syntax error names the file and line. */
export function parseDocuments(text: string, file: string): KubeObject[] {
  return YAML.parseAllDocuments(text).flatMap((d) => {
    const err = d.errors[0];
    if (err) throw new UserError(`${file}:${err.linePos?.[0]?.line ?? '?'}: not valid YAML: ${err.message.split('\n')[0]}`, 'fix the YAML syntax');
    const v = d.toJS() as unknown;
    if (Array.isArray((v as { items?: unknown })?.items) && (v as KubeObject).kind?.endsWith('List')) return (v as { items: KubeObject[] }).items;
    return v && typeof v === 'object' ? [v as KubeObject] : [];
  });
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules') return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? yamlFilesUnder(p) : isYaml(e.name) ? [p] : [];
  });
}

function readDocs(file: string, shown: string): SourcedObject[] {
  return parseDocuments(readFileSync(file, 'utf8'), shown).filter((o) => o.kind && !o.kind.startsWith('Kustomization')).map((object) => ({ object, file: shown }));
}

/** The source files a kustomization draws on (its local resources and components, recursively), for naming where an object came from. */
function kustomizeSources(dir: string, seen = new Set<string>()): string[] {
  const k = kustomizationIn(dir);
  if (!k || seen.has(dir)) return [];
  seen.add(dir);
  let doc: { resources?: string[]; components?: string[]; bases?: string[] } = {};
  try {
    doc = (YAML.parse(readFileSync(k, 'utf8')) ?? {}) as typeof doc;
  } catch {
    return [];
  }
  return [...(doc.resources ?? []), ...(doc.bases ?? []), ...(doc.components ?? [])].flatMap((r) => {
    const p = resolve(dir, r);
    if (!existsSync(p)) return [];
    return statSync(p).isDirectory() ? kustomizeSources(p, seen) : isYaml(p) ? [p] : [];
  });
}

async function renderKustomize(dir: string, shown: (f: string) => string): Promise<SourcedObject[]> {
  const { kubectl } = await ensureBinaries(['kubectl']);
  const r = await execa(kubectl!, ['kustomize', dir], { reject: false });
  if (r.exitCode !== 0) throw new UserError(`kustomize ${shown(dir)} failed: ${r.stderr.trim()}`, 'fix the kustomization (kubectl kustomize shows the same error)');
  const origin = new Map<string, string>();
  for (const f of kustomizeSources(dir)) {
    try {
      for (const o of parseDocuments(readFileSync(f, 'utf8'), f)) origin.set(`${o.kind}/${o.metadata?.name}`, shown(f));
    } catch {
      // A source file kustomize accepted but YAML cannot read only loses its name in messages.
    }
  }
  const rendered = `${shown(dir)} (kustomize)`;
  return parseDocuments(r.stdout, rendered).map((object) => ({ object, file: origin.get(`${object.kind}/${object.metadata?.name}`) ?? rendered }));
}

/** The objects at `path` with their files; paths in messages are relative to `cwd` when inside it. */
export async function loadManifestObjects(path: string, cwd = process.cwd()): Promise<SourcedObject[]> {
  const full = resolve(cwd, path);
  const shown = (f: string) => (relative(cwd, f).startsWith('..') ? f : relative(cwd, f) || basename(f));
  if (!existsSync(full)) throw new UserError(`manifests ${path}: no such file or directory`, 'give a kustomize directory, a folder of YAML files or one YAML file');
  if (!statSync(full).isDirectory()) return readDocs(full, shown(full));
  if (kustomizationIn(full)) return renderKustomize(full, shown);
  const files = yamlFilesUnder(full);
  if (!files.length) throw new UserError(`manifests ${path}: no .yaml or .yml files in this folder`, 'point at the folder that holds your HPA and workload');
  return files.flatMap((f) => readDocs(f, shown(f)));
}
