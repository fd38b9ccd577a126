import type { VersionSeq } from "../db/version-feed.ts";
import type { Logger } from "../log.ts";

// Keeps a process's search index in step with versions other processes write to the same
// (PostgreSQL) database. It follows `item_versions.seq` from its own watermark: woken by a
// notification sent in the writer's transaction, and by a timer as the fallback.
//
// Sequence numbers are taken when a row is inserted but become visible when its
// transaction commits. Writers take them under a lock held until they commit
// (insertVersionRows in node/db/item-writes.ts), so numbers become visible in order; a
// number skipped at one read is still asked for again at the next ones, as a second line of
// defence (a rolled-back transaction's never appears; it is forgotten after `gapTtlMs`).

/** Options of {@link VersionFollower}. */
export interface VersionFollowerOptions {
  /** Versions after a `seq`, and any of `recheck` that are now there. */
  readonly read: (after: number, recheck: readonly number[], limit: number) => Promise<VersionSeq[]>;
  /** The highest `seq` now: where following starts. */
  readonly maxSeq: () => Promise<number>;
  /** Indexes the given items as the database holds them now. */
  readonly refresh: (ids: readonly string[]) => Promise<void>;
  /** Removes items the database no longer holds live (purges leave no version behind): on a purge's notification, and periodically. */
  readonly reconcile: () => Promise<void>;
  /** Subscribes to the writers' notifications; answers an unsubscribe. */
  readonly subscribe: (wake: () => void) => () => void;
  /** Subscribes to notifications of purges (items removed without a version); answers an unsubscribe. */
  readonly subscribePurges: (purged: () => void) => () => void;
  /** How often to read without a notification, in ms (default 1 000). */
  readonly pollMs?: number;
  /** How often to reconcile with the live items, in ms (default 60 000). */
  readonly reconcileMs?: number;
  /** How long a skipped `seq` is looked for again, in ms (default 300 000). */
  readonly gapTtlMs?: number;
  readonly logger?: Logger;
}

/** Versions read per query. */
const BATCH = 500;
/** Most skipped numbers remembered (a huge rolled-back ingest would otherwise grow it). */
const MAX_GAPS = 5_000;
/** Most versions this process announced itself and remembers, so as not to index them twice. */
const MAX_OWN = 10_000;

export class VersionFollower {
  private watermark = 0;
  /** Skipped `seq` numbers and when each was first missed. */
  private readonly gaps = new Map<number, number>();
  /** Versions this process indexed from its own library's announcements, by item. */
  private readonly own = new Map<string, number>();
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private unsubscribe: (() => void) | undefined;
  private unsubscribePurges: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private readonly gapTtlMs: number;

  constructor(private readonly options: VersionFollowerOptions) {
    this.gapTtlMs = options.gapTtlMs ?? 300_000;
  }

  /** Starts following from the current highest `seq` (call before the index starts, so nothing falls between). */
  async start(): Promise<void> {
    this.watermark = await this.options.maxSeq();
    this.unsubscribe = this.options.subscribe(() => this.wake());
    const reconcile = () => {
      if (!this.closed) this.options.reconcile().catch((error: unknown) => this.fail("reconcile", error));
    };
    this.unsubscribePurges = this.options.subscribePurges(reconcile);
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 1_000);
    this.reconcileTimer = setInterval(reconcile, this.options.reconcileMs ?? 60_000);
    this.timer.unref();
    this.reconcileTimer.unref();
  }

  /** A version this process's library announced (and the index took): not read back. */
  noteOwn(id: string, version: number): void {
    if (this.own.size >= MAX_OWN) this.own.clear();
    this.own.set(id, Math.max(version, this.own.get(id) ?? 0));
  }

  /** Reads what is new now (or once more after the running read). */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.follow()
      .catch((error: unknown) => this.fail("follow", error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves once every version visible now is indexed (or being built). */
  async settled(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribePurges?.();
    clearInterval(this.timer);
    clearInterval(this.reconcileTimer);
    await this.running;
  }

  private async follow(): Promise<void> {
    for (;;) {
      const now = Date.now();
      for (const [seq, since] of this.gaps) if (now - since > this.gapTtlMs) this.gaps.delete(seq);
      const rows = await this.options.read(this.watermark, [...this.gaps.keys()], BATCH);
      if (this.closed) return;
      const ids = new Set<string>();
      let newest = this.watermark;
      const found = new Set<number>();
      for (const row of rows) {
        found.add(row.seq);
        this.gaps.delete(row.seq);
        newest = Math.max(newest, row.seq);
        const own = this.own.get(row.id);
        if (own !== undefined && own >= row.version) continue;
        ids.add(row.id);
      }
      for (let seq = this.watermark + 1; seq < newest; seq++)
        if (!found.has(seq) && this.gaps.size < MAX_GAPS) this.gaps.set(seq, now);
      const fresh = rows.filter((r) => r.seq > this.watermark).length;
      this.watermark = newest;
      await this.options.refresh([...ids]);
      if (fresh < BATCH) return;
    }
  }

  private fail(what: string, error: unknown): void {
    if (!this.closed)
      this.options.logger?.warn(`search: could not ${what} with the database`, { error: String(error) });
  }
}
