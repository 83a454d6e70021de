/**
 * The SLS query subset exporters use, parsed and executed over events, pure:
 *
 *   <search> [| select <item>[, <item>...] [from log] [where <cond> [and <cond>...]] [group by <col>] [order by <col> [asc|desc]] [limit N]]
 *   search: `*` | `key: value` [and `key: value` ...]
 *   item:   count(*) | count(1) | count(<col>) | count(distinct <col>) | approx_distinct(<col>) | <group col>
 *           | __time__ - __time__ % N (a time bucket of N seconds), each [as alias]
 *   cond:   <col> (= | != | <> | < | <= | > | >=) <number | 'string'>
 *
 * A time bucket must be the group by column (by its alias); `order by` is accepted on bucketed
 * queries only, which run as one aggregate per bucket (executeBucketed) so both stores serve them.
 * Anything else is rejected with a message, the way SLS answers ParameterInvalid. A hand-written
 * recursive-descent parser: SQL parsers on npm target full dialects and would accept what SLS rejects.
 */

export class QueryError extends Error {
  readonly code = 'ParameterInvalid';
}

export type Agg = { kind: 'count' } | { kind: 'countCol'; col: string } | { kind: 'distinct'; col: string; approx: boolean } | { kind: 'column'; col: string } | { kind: 'bucket'; seconds: number };
export interface SelectItem {
  agg: Agg;
  alias: string;
}
export interface Cond {
  col: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=';
  value: string | number;
}
export interface Query {
  search: { key: string; value: string }[];
  select?: { items: SelectItem[]; where: Cond[]; groupBy?: string; limit?: number; bucket?: { alias: string; seconds: number }; orderBy?: { col: string; desc: boolean } };
}

type Event = { time: number; fields: Record<string, string> };

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|('(?:[^']|'')*')|("(?:[^"])*")|([A-Za-z_][\w.]*)|(<=|>=|!=|<>|[=<>(),*%-]))/y;
  let pos = 0;
  while (pos < s.length) {
    if (/^\s*$/.test(s.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new QueryError(`line 1:${pos + 1}: syntax error at "${s.slice(pos, pos + 20).trim()}"`);
    out.push(m[0].trim());
    pos = re.lastIndex;
  }
  return out;
}

function parseSearch(s: string): Query['search'] {
  const t = s.trim();
  if (t === '*' || t === '') return [];
  return t.split(/\s+and\s+/i).map((part) => {
    const m = /^([A-Za-z_][\w.]*)\s*:\s*(?:"([^"]*)"|([^\s"]+))$/.exec(part.trim());
    if (!m) throw new QueryError(`search "${part.trim()}" is not supported: use * or key: value`);
    return { key: m[1]!, value: (m[2] ?? m[3])! };
  });
}

/** A cursor over the tokens after the bar; each grammar rule below takes it and advances it. */
class Cursor {
  i = 0;
  constructor(readonly toks: string[]) {}
  peek(): string | undefined {
    return this.toks[this.i]?.toLowerCase();
  }
  /** The token `ahead` places past the current one, as written. */
  at(ahead = 0): string | undefined {
    return this.toks[this.i + ahead];
  }
  next(): string | undefined {
    return this.toks[this.i++];
  }
  /** Consumes `w` (lower-case) when it is next; says whether it was. */
  accept(w: string): boolean {
    if (this.peek() !== w) return false;
    this.i++;
    return true;
  }
  expect(w: string): void {
    if (!this.accept(w)) throw new QueryError(`expected "${w}" but got "${this.toks[this.i] ?? 'end of query'}"`);
  }
  ident(what: string): string {
    const t = this.next();
    if (!t || !/^[A-Za-z_][\w.]*$|^"[^"]*"$/.test(t)) throw new QueryError(`expected ${what} but got "${t ?? 'end of query'}"`);
    return t.replace(/^"|"$/g, '');
  }
}

function parseAgg(c: Cursor): Agg {
  const fn = c.peek();
  if (fn === 'count' && c.at(1) === '(') {
    c.i += 2;
    let agg: Agg;
    if (c.at() === '*' || c.at() === '1') {
      c.i++;
      agg = { kind: 'count' };
    } else if (c.accept('distinct')) agg = { kind: 'distinct', col: c.ident('a column'), approx: false };
    else agg = { kind: 'countCol', col: c.ident('a column') };
    c.expect(')');
    return agg;
  }
  if (fn === 'approx_distinct' && c.at(1) === '(') {
    c.i += 2;
    const agg: Agg = { kind: 'distinct', col: c.ident('a column'), approx: true };
    c.expect(')');
    return agg;
  }
  if (fn === '__time__' && c.at(1) === '-') {
    const agg = bucketItem(c.toks.slice(c.i, c.i + 5));
    c.i += 5;
    return agg;
  }
  if (fn && c.at(1) === '(') throw new QueryError(`function ${c.at()} is not supported here (count, count distinct, approx_distinct)`);
  return { kind: 'column', col: c.ident('a select item') };
}

function parseSelectItems(c: Cursor): SelectItem[] {
  const items: SelectItem[] = [];
  do {
    const agg = parseAgg(c);
    const alias = c.accept('as') ? c.ident('an alias') : agg.kind === 'column' ? agg.col : `_col${items.length}`;
    items.push({ agg, alias });
  } while (c.accept(','));
  return items;
}

const OPS: Record<string, Cond['op']> = { '=': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

function parseCond(c: Cursor): Cond {
  const col = c.ident('a column');
  const opTok = c.next();
  // Own keys only: "constructor" or "__proto__" must not look up Object.prototype.
  const op = opTok !== undefined && Object.hasOwn(OPS, opTok) ? OPS[opTok] : undefined;
  if (!op) throw new QueryError(`expected a comparison after ${col} but got "${opTok ?? 'end of query'}"`);
  const lit = c.next();
  let value: string | number;
  if (lit && /^\d+(\.\d+)?$/.test(lit)) value = Number(lit);
  else if (lit && /^'.*'$/.test(lit)) value = lit.slice(1, -1).replace(/''/g, "'");
  else throw new QueryError(`expected a number or 'string' after ${col} ${opTok} but got "${lit ?? 'end of query'}"`);
  return { col, op, value };
}

function parseWhere(c: Cursor): Cond[] {
  const where: Cond[] = [];
  if (!c.accept('where')) return where;
  do where.push(parseCond(c));
  while (c.accept('and'));
  if (c.peek() === 'or') throw new QueryError('OR in where is not supported');
  return where;
}

function parseTail(c: Cursor): { groupBy?: string; orderBy?: { col: string; desc: boolean }; limit?: number } {
  let groupBy: string | undefined;
  if (c.accept('group')) {
    c.expect('by');
    groupBy = c.ident('a column');
  }
  let orderBy: { col: string; desc: boolean } | undefined;
  if (c.accept('order')) {
    c.expect('by');
    orderBy = { col: c.ident('a column'), desc: false };
    if (c.peek() === 'asc' || c.peek() === 'desc') orderBy.desc = c.next()!.toLowerCase() === 'desc';
  }
  let limit: number | undefined;
  if (c.accept('limit')) {
    const n = c.next();
    if (!n || !/^\d+$/.test(n)) throw new QueryError(`limit needs a number, got "${n ?? 'end of query'}"`);
    limit = Number(n);
  }
  if (c.i < c.toks.length) throw new QueryError(`unexpected "${c.at()}" at the end of the query`);
  return { groupBy, orderBy, limit };
}

export function parseQuery(q: string): Query {
  const bar = q.indexOf('|');
  const search = parseSearch(bar < 0 ? q : q.slice(0, bar));
  if (bar < 0) return { search };
  const c = new Cursor(tokenize(q.slice(bar + 1)));
  c.expect('select');
  const items = parseSelectItems(c);
  if (c.accept('from')) {
    const t = c.ident('a table');
    if (t.toLowerCase() !== 'log') throw new QueryError(`table ${t} does not exist: use "from log" or omit it`);
  }
  const where = parseWhere(c);
  const { groupBy, orderBy, limit } = parseTail(c);
  for (const it of items) {
    if (it.agg.kind === 'column' && it.agg.col !== groupBy) throw new QueryError(`'${it.agg.col}' must be an aggregate expression or appear in GROUP BY clause`);
  }
  const bucket = timeBucket(items, groupBy, orderBy);
  return { search, select: { items, where, groupBy: bucket ? undefined : groupBy, limit, ...(bucket ? { bucket, orderBy } : {}) } };
}

/** `__time__ - __time__ % N` as five tokens. */
function bucketItem(t: string[]): Agg {
  if (t[2]?.toLowerCase() !== '__time__' || t[3] !== '%' || !/^\d+$/.test(t[4] ?? '') || Number(t[4]) < 1) {
    throw new QueryError(`expected a time bucket "__time__ - __time__ % <seconds>" but got "${t.join(' ')}"`);
  }
  return { kind: 'bucket', seconds: Number(t[4]) };
}

/** The bucket a query groups by, checked: it is the group by column, and order by names a select item. */
function timeBucket(items: SelectItem[], groupBy: string | undefined, orderBy: { col: string } | undefined): { alias: string; seconds: number } | undefined {
  const b = items.filter((it) => it.agg.kind === 'bucket');
  if (b.length > 1) throw new QueryError('at most one time bucket per query');
  const it = b[0];
  if (it && it.alias !== groupBy) throw new QueryError(`'${it.alias}' must be an aggregate expression or appear in GROUP BY clause`);
  if (orderBy && !it) throw new QueryError('order by is supported on a time-bucketed query only (select __time__ - __time__ % 60 as t, … group by t order by t)');
  if (orderBy && !items.some((x) => x.alias === orderBy.col)) throw new QueryError(`order by ${orderBy.col}: not a column of the select`);
  return it && { alias: it.alias, seconds: (it.agg as { seconds: number }).seconds };
}

function matches(e: Event, q: Query): boolean {
  for (const s of q.search) if (e.fields[s.key] !== s.value) return false;
  return true;
}

function holds(e: Event, c: Cond): boolean {
  const raw = e.fields[c.col];
  return raw !== undefined && compare(raw, c);
}

/** A stored value against a where condition: numbers compare as numbers, a non-number never matches one. */
export function compare(raw: string, c: Cond): boolean {
  const a: string | number = typeof c.value === 'number' ? Number(raw) : raw;
  if (typeof c.value === 'number' && Number.isNaN(a)) return false;
  switch (c.op) {
    case '=': return a === c.value;
    case '!=': return a !== c.value;
    case '<': return a < c.value;
    case '<=': return a <= c.value;
    case '>': return a > c.value;
    case '>=': return a >= c.value;
  }
}

export type Row = Record<string, string>;

/** Runs a parsed query over events (already cut to the time window). Values come back as strings, like SLS. */
export function execute(q: Query, events: Iterable<Event>): Row[] {
  const sel = q.select;
  if (!sel) {
    const out: Row[] = [];
    for (const e of events) if (matches(e, q)) out.push({ ...e.fields, __time__: String(e.time), __source__: e.fields.__source__ ?? '' });
    return out;
  }
  // Per group, one slot per select item (a count or a set), indexed by item position: no lookups by
  // alias in the per-event loop, which runs over every event of the window.
  type Group = { key: string; count: number; counts: number[]; sets: Set<string>[] };
  const items = sel.items;
  const countCols = items.flatMap((it, i) => (it.agg.kind === 'countCol' ? [[i, it.agg.col] as const] : []));
  const distincts = items.flatMap((it, i) => (it.agg.kind === 'distinct' ? [[i, it.agg.col] as const] : []));
  const where = sel.where;
  const groups = new Map<string, Group>();
  const g = (key: string): Group => {
    let s = groups.get(key);
    if (!s) groups.set(key, (s = { key, count: 0, counts: items.map(() => 0), sets: items.map(() => new Set<string>()) }));
    return s;
  };
  const only = sel.groupBy ? undefined : g('');
  for (const e of events) {
    const f = e.fields;
    let ok = matches(e, q);
    for (let k = 0; ok && k < where.length; k++) ok = holds(e, where[k]!);
    if (!ok) continue;
    let st = only;
    if (!st) {
      const key = f[sel.groupBy!];
      if (key === undefined) continue;
      st = g(key);
    }
    st.count++;
    for (const [i, col] of countCols) if (f[col] !== undefined) st.counts[i]!++;
    for (const [i, col] of distincts) {
      const v = f[col];
      if (v !== undefined) st.sets[i]!.add(v);
    }
  }
  let rows = [...groups.values()].map((st) => {
    // No prototype: an alias like __proto__ is an ordinary column name.
    const row = Object.create(null) as Row;
    items.forEach((it, i) => {
      const a = it.agg;
      row[it.alias] = a.kind === 'count' ? String(st.count) : a.kind === 'countCol' ? String(st.counts[i]) : a.kind === 'distinct' ? String(st.sets[i]!.size) : st.key;
    });
    row.__source__ = '';
    row.__time__ = '0';
    return row;
  });
  if (sel.limit !== undefined) rows = rows.slice(0, sel.limit);
  return rows;
}

const HIDDEN_COUNT = '\u0000rows';

/**
 * A time-bucketed query as one aggregate per bucket over [from, to): `run` answers the query without
 * its bucket (and with a row count, so empty buckets are left out as SLS's group by leaves them out)
 * over one bucket's window. Buckets are aligned to epoch multiples of N, like `__time__ % N`.
 */
export function executeBucketed(q: Query, from: number, to: number, run: (from: number, to: number, flat: Query) => Row[]): Row[] {
  const sel = q.select!;
  const n = sel.bucket!.seconds;
  const items: SelectItem[] = [...sel.items.filter((it) => it.agg.kind !== 'bucket'), { agg: { kind: 'count' }, alias: HIDDEN_COUNT }];
  const flat: Query = { search: q.search, select: { items, where: sel.where } };
  let rows: Row[] = [];
  for (let b = from - (from % n); b < to; b += n) {
    const row = run(Math.max(from, b), Math.min(to, b + n), flat)[0];
    if (!row || row[HIDDEN_COUNT] === '0') continue;
    const out = Object.create(null) as Row;
    for (const it of sel.items) out[it.alias] = it.agg.kind === 'bucket' ? String(b) : row[it.alias]!;
    out.__source__ = '';
    out.__time__ = '0';
    rows.push(out);
  }
  const o = sel.orderBy;
  if (o) {
    const key = (r: Row) => (Number.isFinite(Number(r[o.col])) ? Number(r[o.col]) : 0);
    rows.sort((a, c) => (o.desc ? -1 : 1) * (key(a) - key(c)));
  }
  if (sel.limit !== undefined) rows = rows.slice(0, sel.limit);
  return rows;
}

/** In curve mode, aggregates answer the curve value; a group by answers one group. */
export function curveRows(q: Query, value: number): Row[] {
  if (!q.select) return [];
  const row = Object.assign(Object.create(null) as Row, { __source__: '', __time__: '0' });
  for (const it of q.select.items) row[it.alias] = it.agg.kind === 'column' ? 'all' : String(Math.round(value));
  // A bucketed query reaches here once per bucket, with the curve at that bucket (executeBucketed).
  return [row];
}
