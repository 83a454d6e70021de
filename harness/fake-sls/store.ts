/**
 * Events per project/logstore, in arrival order, bounded in count (oldest dropped first) and in age
 * (older than the retention dropped on write), so a long load test cannot exhaust memory.
 */
export interface StoredEvent {
  /** Event time, epoch seconds. */
  time: number;
  fields: Record<string, string>;
}

/** What the server needs of a store; EventStore (objects) and ColumnarStore both provide it. */
export interface SlsEventStore {
  readonly dropped: number;
  append(project: string, logstore: string, events: StoredEvent[], nowSeconds: number): void;
  size(project: string, logstore: string): number;
  window(project: string, logstore: string, from: number, to: number): StoredEvent[];
}

export class EventStore implements SlsEventStore {
  private readonly logs = new Map<string, { events: StoredEvent[]; head: number }>();
  dropped = 0;
  constructor(
    readonly maxEventsPerLogstore = 1_000_000,
    readonly retentionSeconds = 3600,
  ) {}

  private log(project: string, logstore: string) {
    const k = `${project}/${logstore}`;
    let l = this.logs.get(k);
    if (!l) this.logs.set(k, (l = { events: [], head: 0 }));
    return l;
  }

  append(project: string, logstore: string, events: StoredEvent[], nowSeconds: number): void {
    const l = this.log(project, logstore);
    for (const e of events) l.events.push(e);
    const minTime = nowSeconds - this.retentionSeconds;
    while (l.head < l.events.length && (l.events.length - l.head > this.maxEventsPerLogstore || l.events[l.head]!.time < minTime)) {
      l.head++;
      this.dropped++;
    }
    // Compact once the dropped prefix dominates, so memory follows the bound, not the history.
    if (l.head > 1024 && l.head * 2 > l.events.length) {
      l.events = l.events.slice(l.head);
      l.head = 0;
    }
  }

  size(project: string, logstore: string): number {
    const l = this.logs.get(`${project}/${logstore}`);
    return l ? l.events.length - l.head : 0;
  }

  /** Events with from ≤ time < to. An array, not a generator: the query engine walks every event of the window, and a generator resumes once per event. */
  window(project: string, logstore: string, from: number, to: number): StoredEvent[] {
    const l = this.logs.get(`${project}/${logstore}`);
    const out: StoredEvent[] = [];
    if (!l) return out;
    const evs = l.events;
    for (let i = l.head; i < evs.length; i++) {
      const e = evs[i]!;
      if (e.time >= from && e.time < to) out.push(e);
    }
    return out;
  }
}
