/** Something that runs until closed: a worker thread and what talks to it. */
export interface Closable {
  close(): Promise<unknown>;
}

/**
 * One instance of something costly to keep (a worker thread: its own V8 heap, tsx and a copy
 * of the modules it loads, tens of megabytes each), started on first use and closed once it
 * has been idle for `idleMs`; the next use starts a new one. A node at rest holds none.
 */
export class OnDemand<T extends Closable> {
  private current: T | undefined;
  private busy = 0;
  private timer: NodeJS.Timeout | undefined;
  private starts = 0;

  constructor(
    private readonly create: () => T,
    private readonly idleMs: number,
  ) {}

  /** Runs `fn` with the instance, started if there is none; the idle clock starts when the last use ends. */
  async use<R>(fn: (instance: T) => Promise<R>): Promise<R> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.busy++;
    try {
      return await fn(this.start());
    } finally {
      if (--this.busy === 0 && this.current) {
        this.timer = setTimeout(() => void this.close(), this.idleMs);
        this.timer.unref();
      }
    }
  }

  /** The instance if one runs (to tell it something it must know), else undefined. */
  peek(): T | undefined {
    return this.current;
  }

  /** How many instances have been started so far (for tests and the benchmark). */
  get started(): number {
    return this.starts;
  }

  /** Closes the running instance now, if any (a later use starts a new one). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const instance = this.current;
    this.current = undefined;
    await instance?.close();
  }

  private start(): T {
    if (!this.current) {
      this.current = this.create();
      this.starts++;
    }
    return this.current;
  }
}
