import { compare, type Cond, type Query } from './query.ts';
import type { Row } from './query.ts';
import type { StoredEvent } from './store.ts';

/**
 * A columnar event store with the same contract as EventStore (bounded in count and age, dropped
 * from the oldest arrival) at a fraction of the memory: per logstore, rows live in fixed-size
 * segments — times in a Uint32Array, each field a column of Int32 dictionary codes (0 = absent) —
 * and each field's distinct strings are stored once in its dictionary. Rows are kept in arrival
 * order, which for live ingestion is time order; each segment records its min/max time so a window
 * query skips segments outside the window.
 *
 * Queries run on the codes (`query()`): search terms and `=`/`!=` compare codes, other comparisons
 * use a per-query truth table over the dictionary, and count(distinct)/approx_distinct count set bits
 * of a bitset over codes. That makes approx_distinct *exact* at every size (125 KB of bits per million
 * distinct values, per group) for less work than a HyperLogLog sketch; SLS's approx_distinct has a
 * ~2.3 % standard error, so an exact answer is always within what a client must tolerate.
 *
 * Dictionaries only grow while a logstore holds rows (they are reset when it empties): a store fed
 * an unbounded stream of never-repeating values keeps their strings. Fine for replays and load
 * tests (device ids repeat); the row bounds still hold.
 */

const SEGMENT_ROWS = 16_384;

/**
 * A field's distinct strings and their codes (1, 2, ...; 0 = absent). An open-addressing table of
 * (code, hash) pairs in one Int32Array rather than a Map: appending a million distinct device ids
 * took half the append time in Map inserts and lookups (a Map miss is a lookup and then an insert,
 * each chasing buckets and entries); here a miss is one probe run and an insert into the same slot,
 * and a probe compares the stored hash before it touches the stored string.
 */
export class Dict {
  readonly values: string[] = [''];
  /** Slot s holds a code at 2s (0 = empty) and its value's hash at 2s + 1; at most half the slots are used. */
  private table = new Int32Array(2 * 64);
  private mask = 63;

  /** The code of v, assigning the next one when v is new. */
  code(v: string): number {
    const h = hashString(v);
    const t = this.table;
    let s = h & this.mask;
    for (let c = t[2 * s]!; c !== 0; c = t[2 * s]!) {
      if (t[2 * s + 1] === h && this.values[c] === v) return c;
      s = (s + 1) & this.mask;
    }
    const c = this.values.length;
    this.values.push(v);
    t[2 * s] = c;
    t[2 * s + 1] = h;
    if (2 * c > this.mask) this.grow();
    return c;
  }

  /** The code of v, or -1 when it was never appended. */
  find(v: string): number {
    const h = hashString(v);
    const t = this.table;
    for (let s = h & this.mask, c = t[2 * s]!; c !== 0; s = (s + 1) & this.mask, c = t[2 * s]!) {
      if (t[2 * s + 1] === h && this.values[c] === v) return c;
    }
    return -1;
  }

  /** Doubles the table, re-placing each (code, hash) pair by its stored hash: no string is hashed again. */
  private grow(): void {
    const old = this.table;
    const mask = this.mask * 2 + 1;
    const t = new Int32Array(2 * (mask + 1));
    for (let o = 0; o < old.length; o += 2) {
      if (old[o] === 0) continue;
      const h = old[o + 1]!;
      let s = h & mask;
      while (t[2 * s] !== 0) s = (s + 1) & mask;
      t[2 * s] = old[o]!;
      t[2 * s + 1] = h;
    }
    this.table = t;
    this.mask = mask;
  }
}

/** FNV-1a over the UTF-16 code units, mixed at the end so the low bits (the slot) depend on every unit. */
function hashString(v: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

class Segment {
  n = 0;
  minT = Infinity;
  maxT = -Infinity;
  readonly time = new Uint32Array(SEGMENT_ROWS);
  readonly cols = new Map<string, Int32Array>();
  col(field: string): Int32Array {
    let c = this.cols.get(field);
    if (!c) this.cols.set(field, (c = new Int32Array(SEGMENT_ROWS)));
    return c;
  }
}

class Log {
  segs: Segment[] = [];
  /** Rows of segs[0] before head are dropped. */
  head = 0;
  size = 0;
  dicts = new Map<string, Dict>();
  dict(field: string): Dict {
    let d = this.dicts.get(field);
    if (!d) this.dicts.set(field, (d = new Dict()));
    return d;
  }
}

/** One field's column in the current segment and its dictionary, as append finds them. */
interface Column {
  field: string;
  col: Int32Array;
  dict: Dict;
}

/** Per segment, the visit of one of its rows by index: columns are resolved once per segment. */
type SegmentVisit = (seg: Segment) => (i: number) => void;

function scan(log: Log, from: number, to: number, visitSegment: SegmentVisit): void {
  log.segs.forEach((seg, k) => {
    if (seg.maxT < from || seg.minT >= to) return;
    const visit = visitSegment(seg);
    const time = seg.time;
    for (let i = k === 0 ? log.head : 0; i < seg.n; i++) {
      const t = time[i]!;
      if (t >= from && t < to) visit(i);
    }
  });
}

export class ColumnarStore {
  private readonly logs = new Map<string, Log>();
  dropped = 0;
  constructor(
    readonly maxEventsPerLogstore = 1_000_000,
    readonly retentionSeconds = 3600,
  ) {}

  private log(project: string, logstore: string, create: true): Log;
  private log(project: string, logstore: string, create?: false): Log | undefined;
  private log(project: string, logstore: string, create = false): Log | undefined {
    const k = `${project}/${logstore}`;
    let l = this.logs.get(k);
    if (!l && create) this.logs.set(k, (l = new Log()));
    return l;
  }

  append(project: string, logstore: string, events: StoredEvent[], nowSeconds: number): void {
    const l = this.log(project, logstore, true);
    // Per segment, each field's column and dictionary. Events of one logstore mostly carry the same
    // fields in the same order, so the n-th field is first checked against the n-th of the previous
    // event (one pointer comparison of property names) before the Map lookup.
    let seg = l.segs.at(-1);
    let cache = new Map<string, Column>();
    const order: Column[] = [];
    for (const e of events) {
      if (!seg || seg.n === SEGMENT_ROWS) {
        l.segs.push((seg = new Segment()));
        cache = new Map();
        order.length = 0;
      }
      const i = seg.n++;
      const t = Math.max(0, Math.min(0xffffffff, Math.floor(e.time)));
      seg.time[i] = t;
      if (t < seg.minT) seg.minT = t;
      if (t > seg.maxT) seg.maxT = t;
      const f = e.fields;
      let n = 0;
      for (const k in f) {
        let c = order[n];
        if (c?.field !== k) {
          c = cache.get(k);
          if (!c) cache.set(k, (c = { field: k, col: seg.col(k), dict: l.dict(k) }));
          order[n] = c;
        }
        n++;
        c.col[i] = c.dict.code(f[k]!);
      }
      l.size++;
    }
    this.evict(l, nowSeconds - this.retentionSeconds);
  }

  /** Drops from the oldest arrival while over the bound or older than the retention, as EventStore does. */
  private evict(l: Log, minTime: number): void {
    while (l.size > 0) {
      const seg = l.segs[0]!;
      if (l.size <= this.maxEventsPerLogstore && seg.time[l.head]! >= minTime) break;
      l.head++;
      l.size--;
      this.dropped++;
      if (l.head === seg.n) {
        l.segs.shift();
        l.head = 0;
      }
    }
    if (l.size === 0) {
      l.segs = [];
      l.head = 0;
      l.dicts = new Map();
    }
  }

  size(project: string, logstore: string): number {
    return this.log(project, logstore)?.size ?? 0;
  }

  /** Events with from ≤ time < to, materialised (fields without a prototype). */
  window(project: string, logstore: string, from: number, to: number): StoredEvent[] {
    const l = this.log(project, logstore);
    const out: StoredEvent[] = [];
    if (!l) return out;
    scan(l, from, to, (seg) => (i) => out.push({ time: seg.time[i]!, fields: materialise(l, seg, i) }));
    return out;
  }

  /** The query engine's semantics (query.ts execute) on dictionary codes; see the header. */
  query(project: string, logstore: string, from: number, to: number, q: Query): Row[] {
    const l = this.log(project, logstore) ?? new Log();
    if (!q.select) {
      const out: Row[] = [];
      const filter = rowFilter(l, q.search, []);
      scan(l, from, to, (seg) => {
        const ok = filter(seg);
        return (i) => {
          if (ok(i)) out.push({ ...materialise(l, seg, i), __time__: String(seg.time[i]), __source__: valueAt(l, seg, i, '__source__') ?? '' });
        };
      });
      return out;
    }
    return aggregate(l, from, to, q);
  }
}

function materialise(l: Log, seg: Segment, i: number): Record<string, string> {
  const f = Object.create(null) as Record<string, string>;
  for (const [k, col] of seg.cols) if (col[i]) f[k] = l.dicts.get(k)!.values[col[i]!]!;
  return f;
}

function valueAt(l: Log, seg: Segment, i: number, field: string): string | undefined {
  const c = seg.cols.get(field)?.[i];
  return c ? l.dicts.get(field)!.values[c] : undefined;
}


const never = () => false;

/**
 * Search terms and where conditions on codes: a term is one code (a value never seen matches
 * nothing), a condition a truth table over its column's dictionary (code 0, absent, is false).
 */
function rowFilter(l: Log, search: Query['search'], where: Cond[]): (seg: Segment) => (i: number) => boolean {
  const terms = search.map((s) => ({ key: s.key, code: l.dicts.get(s.key)?.find(s.value) ?? -1 }));
  if (terms.some((t) => t.code < 0)) return () => never;
  const tables = where.map((c) => {
    const values = l.dicts.get(c.col)?.values ?? [''];
    const t = new Uint8Array(values.length);
    for (let k = 1; k < values.length; k++) t[k] = compare(values[k]!, c) ? 1 : 0;
    return { key: c.col, t };
  });
  return (seg) => {
    const tc = terms.map((t) => ({ col: seg.cols.get(t.key), code: t.code }));
    const wc = tables.map((w) => ({ col: seg.cols.get(w.key), t: w.t }));
    if (tc.some((t) => !t.col) || wc.some((w) => !w.col)) return never;
    return (i) => {
      for (const t of tc) if (t.col![i] !== t.code) return false;
      for (const w of wc) if (w.t[w.col![i]!] !== 1) return false;
      return true;
    };
  };
}

interface Group {
  key: string;
  count: number;
  counts: number[];
  bits: (Uint8Array | undefined)[];
  distinct: number[];
}

function aggregate(l: Log, from: number, to: number, q: Query): Row[] {
  const sel = q.select!;
  const items = sel.items;
  const filter = rowFilter(l, q.search, sel.where);
  const size = (col: string) => l.dicts.get(col)?.values.length ?? 1;
  const groups = new Map<number, Group>();
  const group = (code: number): Group => {
    let g = groups.get(code);
    if (!g) {
      const key = code < 0 ? '' : l.dicts.get(sel.groupBy!)!.values[code]!;
      g = { key, count: 0, counts: items.map(() => 0), bits: items.map((it) => (it.agg.kind === 'distinct' ? new Uint8Array(size(it.agg.col)) : undefined)), distinct: items.map(() => 0) };
      groups.set(code, g);
    }
    return g;
  };
  const only = sel.groupBy ? undefined : group(-1);
  const aggItems = items.flatMap((it, k) => (it.agg.kind === 'countCol' || it.agg.kind === 'distinct' ? [{ k, col: it.agg.col, distinct: it.agg.kind === 'distinct' }] : []));
  scan(l, from, to, (seg) => {
    const ok = filter(seg);
    const gcol = sel.groupBy ? seg.cols.get(sel.groupBy) : undefined;
    if (sel.groupBy && !gcol) return never;
    const aggs = aggItems.flatMap((a) => {
      const col = seg.cols.get(a.col);
      return col ? [{ ...a, col }] : [];
    });
    return (i) => {
      if (!ok(i)) return;
      const code = gcol ? gcol[i]! : -1;
      if (code === 0) return;
      const g = only ?? group(code);
      g.count++;
      for (const a of aggs) {
        const c = a.col[i]!;
        if (!c) continue;
        if (!a.distinct) g.counts[a.k]!++;
        else if (!g.bits[a.k]![c]) {
          g.bits[a.k]![c] = 1;
          g.distinct[a.k]!++;
        }
      }
    };
  });
  const rows = [...groups.values()].map((g) => {
    const row = Object.create(null) as Row;
    items.forEach((it, k) => {
      const a = it.agg;
      row[it.alias] = a.kind === 'count' ? String(g.count) : a.kind === 'countCol' ? String(g.counts[k]) : a.kind === 'distinct' ? String(g.distinct[k]) : g.key;
    });
    row.__source__ = '';
    row.__time__ = '0';
    return row;
  });
  return sel.limit === undefined ? rows : rows.slice(0, sel.limit);
}
