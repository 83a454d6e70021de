import { isMap, isNode, isSeq, type LineCounter, type Node } from 'yaml';

/**
 * Where a field of a manifest object was written: file, line and column. Objects are plain
 * values after parsing, so the position of each travels beside it, keyed by the object itself
 * (a WeakMap): the loaders record it, the bounds check asks for it, and discovery, which passes
 * the same objects along, needs to know nothing of it.
 */

export interface Position {
  file: string;
  line: number;
  column: number;
}

export type Path = readonly (string | number)[];
/** The position of `path` inside one object, or undefined when it cannot be told. */
export type Locator = (path: Path) => Position | undefined;

const locators = new WeakMap<object, Locator>();

export function recordLocator(o: object, locate: Locator): void {
  locators.set(o, locate);
}

export function positionOf(o: object, path: Path): Position | undefined {
  return locators.get(o)?.(path);
}

/**
 * The node at `path` under `root`, or the deepest one of the path that exists, with whether the
 * whole path was found. (core/config.ts walks its configuration files the same way.)
 */
function nodeAt(root: unknown, path: Path): { node: Node | undefined; keyNode: Node | undefined; whole: boolean } {
  let node: unknown = root;
  let keyNode: Node | undefined;
  for (const p of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isNode(it.key) && String((it.key as { value?: unknown }).value) === String(p));
      if (!pair) return { node: isNode(node) ? node : undefined, keyNode, whole: false };
      keyNode = isNode(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof p === 'number' && node.items[p] !== undefined) {
      keyNode = undefined;
      node = node.items[p];
    } else return { node: isNode(node) ? node : undefined, keyNode, whole: false };
  }
  return { node: isNode(node) ? node : undefined, keyNode, whole: true };
}

/** A locator over one parsed YAML node (a document's contents, or an item of a `kind: List`). */
export function nodeLocator(root: unknown, lineCounter: LineCounter, file: string, opts: { exact?: boolean } = {}): Locator {
  return (path) => {
    const { node, keyNode, whole } = nodeAt(root, path);
    if (opts.exact && !whole) return undefined;
    const anchor = keyNode ?? node;
    if (!anchor?.range) return undefined;
    const pos = lineCounter.linePos(anchor.range[0]);
    return { file, line: pos.line, column: pos.col };
  };
}
