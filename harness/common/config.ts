import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isNode, type Node } from 'yaml';
import type { z } from 'zod';
import { UserError } from './errors.ts';

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

/**
 * Parses YAML text and validates it against a zod schema. Every problem names the file, the line
 * and column of the offending node (or its nearest existing parent) and the dotted field path.
 */
export function parseYamlConfig<S extends z.ZodType>(text: string, schema: S, file: string): z.output<S> {
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
  const data: unknown = doc.toJS();
  const result = schema.safeParse(data ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((iss) => {
    const path = iss.path as PropertyKey[];
    // An unknown key is reported at the key itself, not at its parent mapping.
    const keys = (iss as { keys?: string[] }).keys;
    const full = iss.code === 'unrecognized_keys' && keys?.[0] !== undefined ? [...path, keys[0]] : path;
    const { node, keyNode } = nodeAt(doc.contents, full);
    const anchor = keyNode ?? node;
    const pos = anchor?.range ? lineCounter.linePos(anchor.range[0]) : undefined;
    return {
      file,
      line: pos?.line ?? 0,
      column: pos?.col ?? 0,
      field: fieldPath(full),
      message: iss.message,
    };
  });
  throw new ConfigError(issues);
}

/** Reads and validates a YAML configuration file; a missing file is a UserError naming the path. */
export function loadYamlConfig<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read configuration file (${code ?? String(e)})`, 'check the path');
  }
  return parseYamlConfig(text, schema, file);
}
