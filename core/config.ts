import { LineCounter, parseDocument, isMap, isSeq, isNode, type Node } from 'yaml';
import type { z } from 'zod';
import { UserError } from './errors.ts';
import { readUserFileSync } from './files.ts';

/** One problem in a configuration file, located as precisely as the YAML allows. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export class ConfigError extends UserError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
  return `${where}: ${i.field ? `${i.field}: ` : ''}${i.message}`;
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Walks the YAML node tree along `path` as far as it exists and returns the deepest node. */
function nodeAt(root: Node | null | undefined, path: readonly PropertyKey[]): { node: Node | undefined; keyNode: Node | undefined } {
  let node: unknown = root;
  let keyNode: Node | undefined;
  for (const p of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isNode(it.key) && String((it.key as { value?: unknown }).value) === String(p));
      if (!pair) break;
      keyNode = isNode(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof p === 'number') {
      const item = node.items[p];
      if (item === undefined) break;
      keyNode = undefined;
      node = item;
    } else break;
  }
  return { node: isNode(node) ? node : undefined, keyNode };
}

/** Largest configuration file read, and most YAML aliases expanded: both bound the work a hostile file can cause. */
export const YAML_LIMITS = { maxBytes: 1024 * 1024, maxAliasCount: 100 } as const;

/** A parsed YAML file that can point any field path back at its line and column. */
export interface YamlSource {
  file: string;
  data: unknown;
  /** An issue at `path`, located at the deepest node of the path that exists. */
  issueAt(path: readonly PropertyKey[], message: string): ConfigIssue;
}

/** Parses YAML text; syntax errors, oversized files and alias bombs are ConfigErrors, never exceptions of the parser. */
export function readYamlSource(text: string, file: string): YamlSource {
  if (text.length > YAML_LIMITS.maxBytes) {
    throw new ConfigError([{ file, line: 0, column: 0, field: '', message: `the file has more than ${YAML_LIMITS.maxBytes} characters; configuration files are small` }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { file, line: pos?.line ?? 0, column: pos?.col ?? 0, field: '', message: e.message.split('\n')[0] ?? e.message };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  } catch (e) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount (a "billion laughs" file).
    const message = /alias/i.test((e as Error).message)
      ? `too many YAML aliases (more than ${YAML_LIMITS.maxAliasCount} expanded); write the values out instead of nesting anchors`
      : `cannot read the YAML: ${(e as Error).message}`;
    throw new ConfigError([{ file, line: 0, column: 0, field: '', message }]);
  }
  return {
    file,
    data,
    issueAt(path, message) {
      const { node, keyNode } = nodeAt(doc.contents, path);
      const anchor = keyNode ?? node;
      const pos = anchor?.range ? lineCounter.linePos(anchor.range[0]) : undefined;
      return { file, line: pos?.line ?? 0, column: pos?.col ?? 0, field: fieldPath(path), message };
    },
  };
}

/** Validates a parsed YAML file against a zod schema; every issue is located at its line, column and field. */
export function validateYaml<S extends z.ZodType>(src: YamlSource, schema: S): z.output<S> {
  const result = schema.safeParse(src.data ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((iss) => {
      const path = iss.path as PropertyKey[];
      // An unknown key is reported at the key itself, not at its parent mapping.
      const keys = (iss as { keys?: string[] }).keys;
      const full = iss.code === 'unrecognized_keys' && keys?.[0] !== undefined ? [...path, keys[0]] : path;
      return src.issueAt(full, iss.message);
    }),
  );
}

/**
 * Parses YAML text and validates it against a zod schema. Every problem names the file, the line
 * and column of the offending node (or its nearest existing parent) and the dotted field path.
 */
export function parseYamlConfig<S extends z.ZodType>(text: string, schema: S, file: string): z.output<S> {
  return validateYaml(readYamlSource(text, file), schema);
}

/** Reads and validates a YAML configuration file; a missing, special or oversized file is a UserError naming the path. */
export function loadYamlConfig<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  return parseYamlConfig(readUserFileSync(file, 'configuration file', { maxBytes: YAML_LIMITS.maxBytes, hint: 'check the path' }), schema, file);
}
