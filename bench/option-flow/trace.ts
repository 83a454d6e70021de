import { relative } from 'node:path';
import ts from 'typescript';

/**
 * Follows a function's first parameter (the replay's options) through the program: every value
 * computed from it is followed into the functions it is passed to. Static and approximate on
 * purpose (no aliasing through object fields written later), the same rule before and after a change.
 */

/** A function the options pass through, reached by one call. */
export interface Stop {
  /** The file it is in (repository-relative). */
  place: string;
  fn: string;
  /** The names the options' values have in it (parameters and variables computed from them). */
  names: string[];
  /** The files of the functions it was reached through, runReplay's first. */
  path: string[];
}

export interface OptionFlow {
  stops: Stop[];
  places: number;
  /** Stops in a file the walk had been in and left before. */
  returns: number;
  /** Stops in a file that is already on their own call path, above their caller's: the options going back up. */
  cycles: number;
  names: number;
}

/** The walk's figures: stops in call order, distinct files, returns to a file already left, distinct names. */
export function summarize(stops: Stop[]): OptionFlow {
  let returns = 0;
  let current = '';
  const left = new Set<string>();
  for (const s of stops) {
    if (s.place === current) continue;
    if (left.has(s.place)) returns++;
    if (current) left.add(current);
    current = s.place;
  }
  const cycles = stops.filter((s) => s.place !== s.path.at(-1) && s.path.slice(0, -1).includes(s.place)).length;
  return { stops, places: new Set(stops.map((s) => s.place)).size, returns, cycles, names: new Set(stops.flatMap((s) => s.names)).size };
}

/** Where the walk goes: files under `scope`, never into `exclude` (a file, or `file:function`). */
export interface Bounds {
  scope: string[];
  exclude?: string[];
}

interface Walk {
  root: string;
  scope: string[];
  exclude: string[];
  checker: ts.TypeChecker;
  program: ts.Program;
  stops: Stop[];
  expanded: Set<ts.Node>;
  path: string[];
}

/**
 * The stops of the options of `entryFn` (in `entryFile`), depth first in call order: a call that
 * passes a value computed from them into a function of a file under `scope` is a stop (a function
 * reached again is a stop again, but followed once; a constructed class is one stop, its constructor).
 */
export function traceOptions(root: string, entryFile: string, entryFn: string, { scope, exclude = [] }: Bounds): Stop[] {
  const cfg = ts.getParsedCommandLineOfConfigFile(`${root}/tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!cfg) throw new Error(`no tsconfig.json in ${root}`);
  const program = ts.createProgram(cfg.fileNames, cfg.options);
  const sf = program.getSourceFile(`${root}/${entryFile}`);
  const entry = sf?.statements.find((n): n is ts.FunctionDeclaration => ts.isFunctionDeclaration(n) && n.name?.text === entryFn);
  if (!entry) throw new Error(`no function ${entryFn} in ${entryFile}`);
  const w: Walk = { root, scope, exclude, checker: program.getTypeChecker(), program, stops: [], expanded: new Set(), path: [] };
  enter(w, entry, new Set([0]));
  return w.stops;
}

function fnName(f: ts.Node): string {
  if (ts.isConstructorDeclaration(f)) return `new ${(f.parent as ts.ClassLikeDeclaration).name?.getText() ?? '?'}`;
  if ((ts.isFunctionDeclaration(f) || ts.isMethodDeclaration(f)) && f.name) return ts.isClassLike(f.parent) ? `${f.parent.name?.getText() ?? '?'}.${f.name.getText()}` : f.name.getText();
  if (ts.isVariableDeclaration(f.parent) || ts.isPropertyAssignment(f.parent) || ts.isPropertyDeclaration(f.parent)) return f.parent.name.getText();
  return '<fn>';
}

/** True when `f` is a closure of a function already followed: its calls were followed as that function's. */
function insideExpanded(w: Walk, f: ts.Node): boolean {
  for (let p = f.parent; p; p = p.parent) if (w.expanded.has(p)) return true;
  return false;
}

function enter(w: Walk, f: ts.FunctionLikeDeclaration, params: Set<number>): void {
  if (insideExpanded(w, f)) return;
  const place = relative(w.root, f.getSourceFile().fileName);
  const stop: Stop = { place, fn: fnName(f), names: [], path: [...w.path] };
  w.stops.push(stop);
  if (w.expanded.has(f) || !f.body) return;
  w.expanded.add(f);
  const tainted = taint(w.checker, f, params, stop.names);
  w.path.push(place);
  for (const call of callsIn(f.body)) {
    const args = new Set((call.arguments ?? []).map((a, i) => (tainted(a) ? i : -1)).filter((i) => i >= 0));
    if (args.size === 0) continue;
    for (const target of callees(w, call)) if (inBounds(w, target)) enter(w, target, args);
  }
  w.path.pop();
}

function inBounds(w: Walk, f: ts.FunctionLikeDeclaration): boolean {
  const file = relative(w.root, f.getSourceFile().fileName);
  if (!w.scope.some((s) => file.startsWith(s))) return false;
  return !w.exclude.some((x) => x === file || x === `${file}:${fnName(f)}` || (x.endsWith('/') && file.startsWith(x)));
}

/**
 * The calls of a body in the order they run: a call's arguments before the call, and the callbacks
 * it is handed after it (it calls them).
 */
function callsIn(body: ts.Node): (ts.CallExpression | ts.NewExpression)[] {
  const out: (ts.CallExpression | ts.NewExpression)[] = [];
  const visit = (n: ts.Node, deferred: ts.Node[]) => {
    if (ts.isFunctionLike(n) && n !== body) {
      deferred.push(n);
      return;
    }
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callbacks: ts.Node[] = [];
      ts.forEachChild(n, (c) => visit(c, callbacks));
      out.push(n);
      for (const f of callbacks) ts.forEachChild(f, (c) => visit(c, []));
      return;
    }
    ts.forEachChild(n, (c) => visit(c, deferred));
  };
  const top: ts.Node[] = [];
  visit(body, top);
  for (const f of top) ts.forEachChild(f, (c) => visit(c, []));
  return out;
}

/**
 * The values of `f` computed from its tainted parameters: declarations, assignments, loop variables
 * and the parameters of callbacks handed to a tainted receiver (`plan.metrics.map((m) => …)`).
 * Returns the test "is this expression computed from them"; collects their names.
 */
function taint(checker: ts.TypeChecker, f: ts.FunctionLikeDeclaration, params: Set<number>, names: string[]): (e: ts.Node) => boolean {
  const symbols = new Set<ts.Symbol>();
  const add = (n: ts.BindingName) => {
    if (ts.isIdentifier(n)) {
      const s = checker.getSymbolAtLocation(n);
      if (s && !symbols.has(s)) {
        symbols.add(s);
        names.push(n.text);
      }
    } else for (const e of n.elements) if (!ts.isOmittedExpression(e)) add(e.name);
  };
  f.parameters.forEach((p, i) => params.has(i) && add(p.name));
  const tainted = (e: ts.Node): boolean => {
    if (ts.isIdentifier(e)) {
      const s = ts.isShorthandPropertyAssignment(e.parent) ? checker.getShorthandAssignmentValueSymbol(e.parent) : checker.getSymbolAtLocation(e);
      if (s && symbols.has(s)) return true;
    }
    return ts.forEachChild(e, (c) => tainted(c) || undefined) ?? false;
  };
  const visit = (n: ts.Node) => {
    if (ts.isVariableDeclaration(n) && n.initializer && tainted(n.initializer)) add(n.name);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && tainted(n.right)) add(n.left);
    if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && ts.isVariableDeclarationList(n.initializer) && tainted(n.expression)) n.initializer.declarations.forEach((d) => add(d.name));
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && tainted(n.expression.expression)) {
      for (const a of n.arguments) if (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) a.parameters.forEach((p) => add(p.name));
    }
    ts.forEachChild(n, visit);
  };
  // Source order misses a value used before the line that taints it (a loop): a second pass finds it.
  for (let pass = 0; pass < 2 && f.body; pass++) visit(f.body);
  return tainted;
}

/** The functions a call reaches: its declaration, a class's constructor, or every implementation of an interface method. */
function callees(w: Walk, call: ts.CallExpression | ts.NewExpression): ts.FunctionLikeDeclaration[] {
  const inProject = (n: ts.Node) => !n.getSourceFile().isDeclarationFile && !n.getSourceFile().fileName.includes('/node_modules/');
  if (ts.isNewExpression(call)) {
    const s = w.checker.getSymbolAtLocation(call.expression);
    const cls = (s && s.flags & ts.SymbolFlags.Alias ? w.checker.getAliasedSymbol(s) : s)?.valueDeclaration;
    const ctor = cls && ts.isClassLike(cls) && inProject(cls) ? cls.members.find(ts.isConstructorDeclaration) : undefined;
    return ctor ? [ctor] : [];
  }
  const decl = w.checker.getResolvedSignature(call)?.getDeclaration();
  if (!decl || !inProject(decl)) return [];
  if ((ts.isMethodSignature(decl) || ts.isPropertySignature(decl)) && ts.isInterfaceDeclaration(decl.parent)) return implementations(w, decl);
  return ts.isFunctionLike(decl) && 'body' in decl ? [decl as ts.FunctionLikeDeclaration] : [];
}

/** The members named like `m` of object literals typed as, and classes implementing, m's interface. */
function implementations(w: Walk, m: ts.MethodSignature | ts.PropertySignature): ts.FunctionLikeDeclaration[] {
  const iface = m.parent as ts.InterfaceDeclaration;
  const symbol = w.checker.getTypeAtLocation(iface).symbol;
  const name = m.name.getText();
  const out: ts.FunctionLikeDeclaration[] = [];
  const fn = (n: ts.Node | undefined) => n && (ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && out.push(n);
  const visit = (n: ts.Node) => {
    if (ts.isObjectLiteralExpression(n) && w.checker.getContextualType(n)?.symbol === symbol) {
      for (const p of n.properties) if (p.name?.getText() === name) fn(ts.isPropertyAssignment(p) ? p.initializer : p);
    }
    if (ts.isClassLike(n) && n.heritageClauses?.some((h) => h.types.some((t) => w.checker.getTypeAtLocation(t.expression).symbol === symbol))) {
      for (const mem of n.members) if (mem.name?.getText() === name) fn(mem);
    }
    ts.forEachChild(n, visit);
  };
  for (const sf of w.program.getSourceFiles()) if (!sf.isDeclarationFile && sf.fileName.startsWith(w.root) && !sf.fileName.includes('/node_modules/')) visit(sf);
  return out;
}
