import { opendirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '../core/errors.ts';
import { isInsideDir, readUserFileSync } from '../core/files.ts';

/**
 * A team's manifests are user files, read like curves (core/files.ts): regular files only, opened
 * without blocking (a FIFO cannot hang the run), each and all together size-capped, and inside the
 * directories the run allows — the scenario's own and the current one for a scenario's
 * `manifests:`, the current one for `--manifests` — unless the person running the command passes
 * `--allow-outside-manifests`. A scenario can arrive in a pull request: its manifests path must not
 * make the run read `/etc`, `/proc/self/environ` or a device.
 */

/** What loading a team's manifests may cost; each limit names what it keeps finite. */
export const MANIFEST_LIMITS = {
  /** One file: a bundle of CRDs is a few MiB. */
  fileBytes: 16 * 1024 * 1024,
  /** Every file read together. */
  totalBytes: 64 * 1024 * 1024,
  files: 2000,
  /** Directory entries looked at while collecting a folder's YAML: a repository root is not a manifests folder. */
  entries: 20_000,
  kustomizations: 200,
  /** Nesting of folders and of kustomizations. */
  depth: 32,
  /** Wall time and output of `kubectl kustomize` over files already checked. */
  renderMs: 120_000,
  renderBytes: 64 * 1024 * 1024,
} as const;

/** What only the person running the command can grant (flags, never a scenario field). */
export interface ManifestGrants {
  /** `--allow-outside-manifests`: read manifests outside the allowed directories. */
  allowOutside?: boolean;
  /** `--allow-remote-manifests`: let kustomize fetch URL and git resources. */
  allowRemote?: boolean;
}

/** Where a run's manifests come from, who named them, and what they may read. */
export interface ManifestsSource {
  /** The path as written (messages). */
  given: string;
  /** The same, absolute. */
  path: string;
  /** Who named it: `s.yaml:9:1: manifests`, `--manifests`, or `manifests` for the program's own paths. */
  origin: string;
  /** Directories every file read must lie in, symlinks followed; none: anywhere (a path the program itself chose). */
  roots: { dir: string; name: string }[];
  grants: ManifestGrants;
  /** Paths in messages are relative to it when inside it. */
  cwd: string;
}

/**
 * The manifests a run reads and what they may reach: the CLI's `--manifests` (relative to and
 * confined to the current directory) wins over the scenario's `manifests:` (relative to the
 * scenario, confined to its directory or the current one, where CI checks out the repository).
 */
export function manifestsSource(
  s: { file: string; manifests?: string; manifestsAt?: string; manifestGrants?: ManifestGrants },
  flag: string | undefined,
  cwd = process.cwd(),
): ManifestsSource | undefined {
  const grants = s.manifestGrants ?? {};
  const here = { dir: cwd, name: 'the current directory' };
  if (flag !== undefined) return { given: flag, path: resolve(cwd, flag), origin: '--manifests', roots: [here], grants, cwd };
  if (s.manifests === undefined) return undefined;
  const dir = dirname(resolve(cwd, s.file));
  return { given: s.manifests, path: resolve(dir, s.manifests), origin: `${s.manifestsAt ?? s.file}: manifests`, roots: [{ dir, name: "the scenario's directory" }, here], grants, cwd };
}

/** A path the program itself chose (tests, fixtures): anywhere, but still regular, bounded files and no remote resources. */
export function programSource(path: string, cwd = process.cwd()): ManifestsSource {
  return { given: path, path: resolve(cwd, path), origin: 'manifests', roots: [], grants: { allowOutside: true }, cwd };
}

const REMOTE = [
  /^[a-z][a-z0-9+.-]*:\/\//i, // http://, https://, ssh://, git://, file:// (a git clone of a local repository)
  /^git::/i, // kustomize's forced git protocol
  /^[\w.-]+@[\w.-]+:/, // scp-like: git@github.com:org/repo
  /^(github\.com|gitlab\.com|bitbucket\.org)([/:]|$)/i, // kustomize reads these hosts without a scheme
  /[?&](ref|version|submodules|timeout)=/, // a git ref or clone option
  /(^|\/)_git\//, // Azure DevOps repositories
];

/** Whether kustomize would fetch `ref` over the network (an HTTP resource or a git repository) instead of reading a local path. */
export function isRemoteReference(ref: string): boolean {
  const r = ref.trim();
  return REMOTE.some((re) => re.test(r));
}

export const isYamlName = (f: string) => /\.ya?ml$/i.test(f);

export function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Reads the files of one run's manifests, counting them against MANIFEST_LIMITS. Every refusal is
 * a UserError that starts with who named the manifests (the scenario's file, line and field, or
 * `--manifests`) and says how to fix it.
 */
export class ManifestReader {
  private files = 0;
  private bytes = 0;
  private entries = 0;

  constructor(readonly src: ManifestsSource) {}

  /** A path as messages show it: relative to the current directory when inside it. */
  shown(p: string): string {
    const r = relative(this.src.cwd, p);
    if (r === '') return basename(p);
    return r.startsWith('..') || isAbsolute(r) ? p : r;
  }

  /** `<origin> <path>: <what>`, with the fix as the hint. */
  fail(what: string, fix: string): UserError {
    return new UserError(`${this.src.origin} ${this.src.given}: ${what}`, fix);
  }

  /** Refuses `p` outside the allowed directories (after symlinks); `where` names what referenced it. */
  confine(p: string, where = ''): void {
    const { roots, grants } = this.src;
    if (grants.allowOutside || roots.length === 0 || roots.some((r) => isInsideDir(r.dir, p))) return;
    // Written inside but outside once resolved: a symlink on the way leads out, and the message says where.
    const written = roots.some((r) => {
      const rel = relative(r.dir, p);
      return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    });
    const who = this.src.origin === '--manifests' ? 'these manifests' : 'this scenario';
    throw this.fail(
      `${where ? `${where}: ` : ''}${written ? `a symlink to ${realOrSelf(p)}, ` : ''}outside ${roots.map((r) => `${r.name} (${r.dir})`).join(' and ')}`,
      `keep the manifests (and every file their kustomization reads) there, or pass --allow-outside-manifests if you trust ${who}`,
    );
  }

  /** One manifest file's text: allowed, a regular file, within the size and count limits. */
  read(p: string, where = ''): string {
    this.confine(p, where);
    if (++this.files > MANIFEST_LIMITS.files) throw this.fail(`more than ${MANIFEST_LIMITS.files} files to read`, 'point at the overlay, folder or file that holds the system under test');
    let text: string;
    try {
      text = readUserFileSync(p, 'manifest file', { maxBytes: MANIFEST_LIMITS.fileBytes });
    } catch (e) {
      if (e instanceof UserError) throw this.fail(`${where ? `${where}: ` : ''}${e.message}`, 'manifests are regular YAML files (not a device, a FIFO or a directory)');
      throw e;
    }
    this.bytes += text.length;
    if (this.bytes > MANIFEST_LIMITS.totalBytes) throw this.fail(`more than ${MANIFEST_LIMITS.totalBytes} bytes of files to read`, 'point at the overlay, folder or file that holds the system under test');
    return text;
  }

  /** Every *.yaml/*.yml under `dir` (hidden entries and node_modules skipped; symlinked folders followed when allowed). */
  yamlFilesUnder(dir: string, depth = 0, seen = new Set<string>()): string[] {
    const real = realOrSelf(dir);
    if (seen.has(real)) return [];
    seen.add(real);
    if (depth > MANIFEST_LIMITS.depth) throw this.fail(`${this.shown(dir)}: folders nested more than ${MANIFEST_LIMITS.depth} deep`, 'point at the folder that holds your manifests');
    const out: string[] = [];
    // opendir rather than readdir: a folder of a million entries is refused after the limit, not listed whole first.
    const d = opendirSync(dir);
    try {
      for (let e = d.readSync(); e; e = d.readSync()) {
        if (++this.entries > MANIFEST_LIMITS.entries) throw this.fail(`more than ${MANIFEST_LIMITS.entries} directory entries under it`, 'point at the folder that holds your manifests, not a whole repository');
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const p = join(dir, e.name);
        if (e.isDirectory() || (e.isSymbolicLink() && statOrUndefined(p)?.isDirectory())) {
          this.confine(p, this.shown(p));
          out.push(...this.yamlFilesUnder(p, depth + 1, seen));
        } else if (isYamlName(e.name)) out.push(p);
      }
    } finally {
      d.closeSync();
    }
    return out.sort();
  }
}
