import { isDeepStrictEqual } from 'node:util';
import { execa } from 'execa';
import YAML, { LineCounter } from 'yaml';
import { kustomizer } from '../cluster/toolchain/index.ts';
import { YAML_LIMITS } from '../core/config.ts';
import { UserError } from '../core/errors.ts';
import type { KubeObject, SourcedObject } from '../kinds/model/objects.ts';
import { ManifestReader, MANIFEST_LIMITS, programSource, statOrUndefined, type ManifestsSource } from './files.ts';
import { kustomizationIn, kustomizeClosure, type ClosureFile } from './kustomize-closure.ts';
import { nodeLocator, positionOf, recordLocator, type Path } from './positions.ts';

/**
 * A team's manifests from a path: a kustomize directory (rendered with the pinned kubectl's
 * kustomize, as `kubectl apply -k` would, once every file it would read is checked), a folder of
 * YAML files (read recursively), or one multi-document file. Every file goes through the
 * ManifestReader (files.ts); each object keeps the file it came from and the positions of its
 * fields (positions.ts), for messages.
 */

export { kustomizationIn };

/** Every document of a YAML text; a syntax error names the file and line. Each object's field positions are recorded. */
export function parseDocuments(text: string, file: string): KubeObject[] {
  const lineCounter = new LineCounter();
  return YAML.parseAllDocuments(text, { lineCounter }).flatMap((d) => {
    const err = d.errors[0];
    if (err) throw new UserError(`${file}:${err.linePos?.[0]?.line ?? '?'}: not valid YAML: ${err.message.split('\n')[0]}`, 'fix the YAML syntax');
    let v: unknown;
    try {
      v = d.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch {
      throw new UserError(`${file}: too many YAML aliases (more than ${YAML_LIMITS.maxAliasCount} expanded)`, 'write the values out instead of nesting anchors');
    }
    if (Array.isArray((v as { items?: unknown })?.items) && (v as KubeObject).kind?.endsWith('List')) {
      const items = d.get('items', true);
      return (v as { items: unknown[] }).items.flatMap((item, i) => {
        if (!item || typeof item !== 'object') return [];
        recordLocator(item, nodeLocator(YAML.isSeq(items) ? items.items[i] : undefined, lineCounter, file));
        return [item as KubeObject];
      });
    }
    if (!v || typeof v !== 'object') return [];
    recordLocator(v, nodeLocator(d.contents, lineCounter, file));
    return [v as KubeObject];
  });
}

function readDocs(reader: ManifestReader, file: string): SourcedObject[] {
  const shown = reader.shown(file);
  return parseDocuments(reader.read(file), shown).filter((o) => o.kind && !o.kind.startsWith('Kustomization')).map((object) => ({ object, file: shown }));
}

const keyOf = (o: { kind?: unknown; metadata?: { name?: unknown } }) => `${String(o.kind)}/${String(o.metadata?.name)}`;
const valueAt = (o: unknown, path: Path): unknown => path.reduce<unknown>((v, p) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined), o);

/**
 * Where a rendered object's field was written: the source document of the same kind and name
 * (patches first: they are applied last) that holds the same value at that path. A value no source
 * holds as rendered (set by a JSON patch, a replacement, a prefix) has no line.
 */
function sourceLocator(rendered: KubeObject, candidates: { object: KubeObject; role: ClosureFile['role'] }[]) {
  return (path: Path) => {
    const want = valueAt(rendered, path);
    const order = [...candidates.filter((c) => c.role === 'patch'), ...candidates.filter((c) => c.role === 'resource')];
    const c = order.find((x) => want !== undefined && isDeepStrictEqual(valueAt(x.object, path), want));
    return c ? positionOf(c.object, path) : undefined;
  };
}

/** kustomize never reaches the network unless allowed: its HTTP client and git go through a proxy that is not there. */
const NO_NETWORK_ENV = { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', ALL_PROXY: 'http://127.0.0.1:9', GIT_ALLOW_PROTOCOL: 'none' };

async function renderKustomize(dir: string, reader: ManifestReader): Promise<SourcedObject[]> {
  // Every file kustomize would read is checked first: a refused reference costs no kubectl and no network.
  const closure = kustomizeClosure(dir, reader);
  const shownDir = reader.shown(dir);
  const { path: kubectl } = await kustomizer();
  const r = await execa(kubectl, ['kustomize', dir], {
    reject: false, stdin: 'ignore', timeout: MANIFEST_LIMITS.renderMs, maxBuffer: MANIFEST_LIMITS.renderBytes,
    ...(reader.src.grants.allowRemote ? {} : { env: NO_NETWORK_ENV }),
  });
  if (r.timedOut) throw reader.fail(`kustomize ${shownDir} ran longer than ${MANIFEST_LIMITS.renderMs / 1000} s`, 'run kubectl kustomize on it to see why');
  if (r.isMaxBuffer) throw reader.fail(`kustomize ${shownDir} printed more than ${MANIFEST_LIMITS.renderBytes} bytes`, 'point at the overlay that holds the system under test');
  if (r.exitCode !== 0) throw new UserError(`kustomize ${shownDir} failed: ${String(r.stderr).trim()}`, 'fix the kustomization (kubectl kustomize shows the same error)');
  const sources = new Map<string, { object: KubeObject; file: string; role: ClosureFile['role'] }[]>();
  for (const f of closure) {
    try {
      for (const object of parseDocuments(f.text, reader.shown(f.file))) {
        const k = keyOf(object);
        sources.set(k, [...(sources.get(k) ?? []), { object, file: reader.shown(f.file), role: f.role }]);
      }
    } catch {
      // A source file kustomize accepted but YAML cannot read only loses its name in messages.
    }
  }
  const rendered = `${shownDir} (kustomize)`;
  return parseDocuments(String(r.stdout), rendered).map((object) => {
    const candidates = sources.get(keyOf(object)) ?? [];
    recordLocator(object, sourceLocator(object, candidates));
    return { object, file: candidates.find((c) => c.role === 'resource')?.file ?? rendered };
  });
}

/**
 * The objects of a team's manifests with their files; paths in messages are relative to the
 * current directory when inside it. `source` says who named them and what they may read
 * (files.ts: manifestsSource); a bare `path` is the program's own and may lie anywhere.
 */
export async function loadManifestObjects(path: string, cwd = process.cwd(), source: ManifestsSource = programSource(path, cwd)): Promise<SourcedObject[]> {
  const reader = new ManifestReader(source);
  const full = source.path;
  reader.confine(full);
  const st = statOrUndefined(full);
  if (!st) throw reader.fail('no such file or directory', 'give a kustomize directory, a folder of YAML files or one YAML file');
  if (!st.isDirectory()) return readDocs(reader, full);
  if (kustomizationIn(full)) return renderKustomize(full, reader);
  const files = reader.yamlFilesUnder(full);
  if (!files.length) throw reader.fail('no .yaml or .yml files in this folder', 'point at the folder that holds your HPA and workload');
  return files.flatMap((f) => readDocs(reader, f));
}
