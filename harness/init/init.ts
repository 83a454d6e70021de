import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../../core/errors.ts';
import { capacityFromHpa, type Capacity } from './capacity.ts';
import { kustomizeClosure, type ClosureFs } from './kustomize-closure.ts';
import { assertWritablePath, githubPathLiteral } from './quoting.ts';
import { githubWorkflow, gitlabCi, scenarioYaml, type InitParams } from './templates.ts';

/**
 * `ebbflow init`: a starter scenario (with the shipped curve copied next to it), a GitHub Actions
 * workflow and a GitLab CI example, written into the current repository. Nothing is written when
 * any target exists, unless `force`: a half-written set is worse than none.
 */

export interface InitOptions {
  /** The repository root (the current directory). */
  root: string;
  /** Where the scenario goes, relative to root. */
  dir: string;
  manifests?: string;
  force?: boolean;
  version: string;
  /** What init could not do by itself and the user should know (e.g. the capacity it could not derive). */
  onNote?: (line: string) => void;
}

const SHIPPED_CURVE = fileURLToPath(new URL('../../scenarios/curves/weekday.csv', import.meta.url));
const posix = (p: string) => p.split(sep).join('/');
const outside = (rel: string) => rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);

export function initProject(o: InitOptions): string[] {
  assertWritablePath(o.dir, '--dir');
  const dir = posix(relative(o.root, resolve(o.root, o.dir))) || '.';
  if (dir.startsWith('..')) throw new UserError(`--dir ${o.dir} is outside the current directory`, 'run init from the repository root and give a directory inside it');
  const scenarioDir = resolve(o.root, dir);
  const params: InitParams = { dir, curve: 'weekday.csv', version: o.version, ...manifestsParams(o, scenarioDir) };
  const cap = params.capacity;
  if (cap && 'reason' in cap) o.onNote?.(`devicesPerReplica left at 1000: ${cap.reason}; ${cap.fix}`);
  else if (cap) o.onNote?.(`devicesPerReplica ${cap.devicesPerReplica}, from ${cap.from}`);
  const files: [string, string | { copy: string }][] = [
    [join(scenarioDir, 'scenario.yaml'), scenarioYaml(params)],
    [join(scenarioDir, 'curves', params.curve), { copy: SHIPPED_CURVE }],
    [join(scenarioDir, 'gitlab-ci.example.yml'), gitlabCi(params)],
    [resolve(o.root, '.github', 'workflows', 'ebbflow.yml'), githubWorkflow(params)],
  ];
  // A symlink on the way (the directory, a parent, the file itself) must not carry a write out of the repository.
  for (const [i, [f]] of files.entries()) confine(o.root, f, i < 3 ? `--dir ${o.dir}` : posix(relative(o.root, f)));
  const existing = files.map(([f]) => f).filter((f) => existsSync(f));
  if (existing.length && !o.force) {
    throw new UserError(`init would overwrite ${existing.map((f) => relative(o.root, f)).join(', ')}`, 'move them away, or give --force to overwrite');
  }
  for (const [f, content] of files) {
    mkdirSync(dirname(f), { recursive: true });
    if (typeof content === 'string') writeFileSync(f, content);
    else copyFileSync(content.copy, f);
  }
  return files.map(([f]) => posix(relative(o.root, f)));
}

/**
 * Refuses a path whose nearest existing ancestor (or itself) resolves, through symlinks, outside
 * the repository; a dangling symlink is refused too (where it would write is not known).
 */
export function confine(root: string, path: string, what: string): void {
  const realRoot = realpathSync(root);
  let existing = path;
  while (!lstatOrUndefined(existing) && dirname(existing) !== existing) existing = dirname(existing);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    throw new UserError(`${what}: ${relative(root, existing) || '.'} is a symlink that leads nowhere`, 'remove the dangling symlink or give a directory inside the repository');
  }
  const target = join(real, relative(existing, path));
  if (outside(relative(realRoot, target))) {
    throw new UserError(`${what}: ${relative(root, existing) || '.'} resolves to ${real}, outside the repository (${realRoot})`, 'CI checks out this repository only: give a directory inside it that is not a symlink to elsewhere');
  }
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

function manifestsParams(o: InitOptions, scenarioDir: string): Pick<InitParams, 'manifests' | 'manifestsPaths' | 'capacity'> {
  if (o.manifests === undefined) return {};
  assertWritablePath(o.manifests, '--manifests');
  const abs = resolve(o.root, o.manifests);
  if (!existsSync(abs)) throw new UserError(`--manifests ${o.manifests}: no such file or directory`, 'give your kustomize directory, a folder of YAML or one multi-document file');
  const fromRoot = posix(relative(o.root, abs));
  if (isAbsolute(fromRoot) || fromRoot.startsWith('..')) throw new UserError(`--manifests ${o.manifests} is outside the current directory`, 'CI checks out this repository only: give manifests inside it');
  confine(o.root, abs, `--manifests ${o.manifests}`);
  const rel = posix(relative(scenarioDir, abs)) || '.';
  const closure = kustomizeClosure(abs, DISK);
  return { manifests: rel, manifestsPaths: pathFilters(o.root, closure.dirs, closure.files), capacity: capacityOf(closure.files) };
}

/** The workflow's path filter of the manifests: each directory of the closure (everything under it), and files outside them; nothing outside the repository. */
function pathFilters(root: string, dirs: string[], files: string[]): string[] {
  const inRepo = (p: string) => !outside(relative(root, p));
  const under = (f: string) => dirs.some((d) => !outside(relative(d, f)));
  const dirFilters = dirs.filter(inRepo).map((d) => `${githubPathLiteral(posix(relative(root, d)) || '.')}/**`.replace(/^\.\/\*\*$/, '**'));
  return [...dirFilters, ...files.filter((f) => inRepo(f) && !under(f)).map((f) => githubPathLiteral(posix(relative(root, f))))];
}

function capacityOf(files: string[]): Capacity {
  const docs = files.flatMap((file) => {
    const text = DISK.read(file) ?? '';
    return parseAllDocuments(text).flatMap((d) => (d.errors.length ? [] : [{ object: d.toJS() as unknown, file }]));
  });
  return capacityFromHpa(docs);
}

const DISK: ClosureFs = {
  read: (p) => {
    try {
      return statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  },
  isDir: (p) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  },
  yamlFilesUnder: (dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dir, f)),
};
