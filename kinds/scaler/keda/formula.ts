import { UserError } from '../../../core/errors.ts';

/**
 * `advanced.scalingModifiers.formula`, the arithmetic part of the expr-lang expressions KEDA
 * evaluates (numbers, trigger names, + - * /, parentheses, unary minus), compiled once to a
 * function of the triggers' values. Anything else (functions, comparisons, `?:`) is refused with
 * the formula named: a formula that is modelled wrong would be worse than none.
 */
export function compileFormula(formula: string, names: readonly string[], field: string): (values: Record<string, number>) => number {
  const tokens = formula.match(/\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_-]*|[-+*/()]|\S)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const fail = (why: string) => new UserError(`${field}: "${formula}": ${why}`, 'the simulator models formulas of numbers, trigger names, + - * / and parentheses');
  type Node = (v: Record<string, number>) => number;
  const primary = (): Node => {
    const t = tokens[i++];
    if (t === undefined) throw fail('ends too early');
    if (t === '(') {
      const e = sum();
      if (tokens[i++] !== ')') throw fail('a ( is not closed');
      return e;
    }
    if (t === '-') {
      const e = primary();
      return (v) => -e(v);
    }
    if (/^\d/.test(t)) {
      const n = Number(t);
      return () => n;
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (!names.includes(t)) throw fail(`"${t}" is not a trigger name (triggers: ${names.join(', ') || 'none named'})`);
      return (v) => v[t]!;
    }
    throw fail(`"${t}" is not modelled`);
  };
  const product = (): Node => {
    let left = primary();
    while (tokens[i] === '*' || tokens[i] === '/') {
      const op = tokens[i++];
      const l = left;
      const r = primary();
      left = op === '*' ? (v) => l(v) * r(v) : (v) => l(v) / r(v);
    }
    return left;
  };
  const sum = (): Node => {
    let left = product();
    while (tokens[i] === '+' || tokens[i] === '-') {
      const op = tokens[i++];
      const l = left;
      const r = product();
      left = op === '+' ? (v) => l(v) + r(v) : (v) => l(v) - r(v);
    }
    return left;
  };
  const root = sum();
  if (i !== tokens.length) throw fail(`"${tokens[i]}" is not modelled`);
  return root;
}
