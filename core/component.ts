/**
 * The lifecycle every long-lived part of a replay shares (cluster, fake SLS, exporter, Prometheus,
 * prometheus-adapter, ElasticWorkload controller, recorder, device fleet). A component is an object
 * whose fields (ports, URLs, clients) are filled by `start`; what it needs from components started
 * before it is handed to its constructor as getters, so the order of a stack is the order of its
 * dependencies.
 *
 * `start` creates the thing (spawns, listens, installs) and returns promptly; `ready` resolves when it
 * serves; `stop` releases everything `start` took and must be safe to call after a partial start and
 * more than once. No component calls `process.exit` or installs signal handlers: the CLI turns
 * Ctrl-C into an AbortSignal and the runner below stops what was started, in reverse.
 */
export interface Component {
  readonly name: string;
  start(ctx: ComponentContext): Promise<void>;
  ready?(ctx: ComponentContext): Promise<void>;
  stop(): Promise<void>;
}

export interface ComponentContext {
  signal: AbortSignal;
  progress(message: string): void;
}

/** Raised when the abort signal fires while a stack is starting; the CLI maps it to exit 130. */
export class Interrupted extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'Interrupted';
  }
}

export interface StopFailure {
  component: string;
  error: unknown;
}

/** How long one component took from `start` to ready, in wall seconds since the stack was made. */
export interface ComponentTiming {
  component: string;
  /** When its start began and when it was ready, seconds after the stack was created. */
  from: number;
  to: number;
}

export interface StackOptions {
  signal?: AbortSignal;
  progress?: (component: string, message: string) => void;
  /** How long one component's stop may take before the runner gives up on it and goes on. */
  stopTimeoutMs?: number;
}

/**
 * Starts components in order and stops the started ones in reverse. A failed or interrupted start
 * stops everything already started (the failing component included, for what it took before failing)
 * before the error propagates; `stop` never throws, it reports what did not stop cleanly.
 */
export class Stack {
  private readonly started: Component[] = [];
  private readonly timed: ComponentTiming[] = [];
  private readonly t0 = performance.now();
  /** Aborted when the stack starts stopping, so siblings started concurrently give up early. */
  private readonly stopSignal = new AbortController();
  /** A start interrupted by Ctrl-C may still be running; stop waits for it to settle first. */
  private readonly starting = new Map<Component, Promise<unknown>>();
  private readonly signal: AbortSignal;
  private stopping: Promise<StopFailure[]> | undefined;

  constructor(private readonly opts: StackOptions = {}) {
    this.signal = opts.signal ?? new AbortController().signal;
  }

  /** Names of the components started so far, in start order. */
  get names(): string[] {
    return this.started.map((c) => c.name);
  }

  /** Start-to-ready wall time of each component started so far, in start order. */
  get timings(): ComponentTiming[] {
    return [...this.timed];
  }

  async up<C extends Component>(c: C): Promise<C> {
    this.throwIfStopping(c.name);
    this.throwIfAborted(c.name);
    // A component sees an abort when Ctrl-C comes or when a sibling's failure stops the stack.
    const ctx: ComponentContext = { signal: AbortSignal.any([this.signal, this.stopSignal.signal]), progress: (m) => this.opts.progress?.(c.name, m) };
    const from = this.elapsed();
    this.started.push(c);
    try {
      const started = c.start(ctx);
      this.starting.set(c, started);
      await raceAbort(started, ctx.signal, c.name);
      this.throwIfStopping(c.name);
      this.throwIfAborted(c.name);
      if (c.ready) {
        const ready = c.ready(ctx);
        this.starting.set(c, ready);
        await raceAbort(ready, ctx.signal, c.name);
      }
      this.starting.delete(c);
      this.throwIfStopping(c.name);
      this.throwIfAborted(c.name);
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.timed.push({ component: c.name, from, to: this.elapsed() });
    return c;
  }

  /**
   * Runs independent start sequences (each a function calling `up`) at the same time, e.g. the
   * control plane beside the data source. What they start joins this one stack, so it is still
   * stopped in reverse of start order. When one fails the stack stops (the others are told through
   * their context's signal and stopped once their start settles) and, after every sequence settled,
   * the first real failure is thrown rather than a sibling's resulting `Interrupted`.
   */
  async concurrently<T extends readonly unknown[]>(branches: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
    const settled = await Promise.allSettled(branches.map((b) => b()));
    const failures = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    if (failures.length) {
      await this.stop();
      throw firstCause(failures, this.signal.aborted);
    }
    return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
  }

  /** Starts components that do not depend on each other at the same time (see `concurrently`). */
  async upConcurrently<T extends readonly Component[]>(components: T): Promise<T> {
    await this.concurrently(components.map((c) => () => this.up(c)));
    return components;
  }

  /** Starts each in order; the first failure stops the whole stack. */
  async upAll(components: Component[]): Promise<void> {
    for (const c of components) await this.up(c);
  }

  stop(): Promise<StopFailure[]> {
    if (!this.stopping) this.stopSignal.abort();
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<StopFailure[]> {
    const failures: StopFailure[] = [];
    const timeout = this.opts.stopTimeoutMs ?? 30_000;
    for (const c of [...this.started].reverse()) {
      try {
        const pending = this.starting.get(c);
        if (pending) await withTimeout(pending.then(() => {}, () => {}), timeout, `${c.name} did not finish starting within ${timeout / 1000}s`).catch(() => {});
        await withTimeout(c.stop(), timeout, `${c.name} did not stop within ${timeout / 1000}s`);
      } catch (error) {
        failures.push({ component: c.name, error });
      }
    }
    return failures;
  }

  private throwIfAborted(name: string): void {
    if (this.signal.aborted) throw new Interrupted(`interrupted while starting ${name}`);
  }

  private throwIfStopping(name: string): void {
    if (this.stopping) throw new Interrupted(`cannot start ${name}: the stack is stopping`);
  }

  /** Wall seconds since the stack was created (the base of `timings`). */
  elapsed(): number {
    return Math.round(performance.now() - this.t0) / 1000;
  }
}

/** A sibling stopped because another failed reports `Interrupted`; the failure that caused it wins, unless the user interrupted. */
function firstCause(failures: unknown[], userAborted: boolean): unknown {
  if (userAborted) return failures.find((f) => f instanceof Interrupted) ?? failures[0];
  return failures.find((f) => !(f instanceof Interrupted)) ?? failures[0];
}

/** Runs `body` with a stack that is stopped afterwards whatever happens. */
export async function withStack<T>(opts: StackOptions, body: (stack: Stack) => Promise<T>): Promise<{ value: T; stopFailures: StopFailure[] }> {
  const stack = new Stack(opts);
  try {
    const value = await body(stack);
    return { value, stopFailures: await stack.stop() };
  } catch (e) {
    const stopFailures = await stack.stop();
    if (stopFailures.length && e instanceof Error) (e as Error & { stopFailures?: StopFailure[] }).stopFailures = stopFailures;
    throw e;
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal, name: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted(`interrupted while starting ${name}`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(`interrupted while starting ${name}`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timer = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(message)), ms);
    t.unref();
  });
  return Promise.race([p, timer]).finally(() => clearTimeout(t));
}
