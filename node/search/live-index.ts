import type { LibraryChange } from "../library/library.ts";
import type { Logger } from "../log.ts";
import { baseFileOf, readBaseFile, removeFormerBases } from "./base-file.ts";
import { IndexWorkers } from "./index-worker-client.ts";
import { LiveDocs, type Pointer } from "./live-docs.ts";
import { Segment } from "./segment.ts";
import { sharedData } from "./shared-data.ts";
import { workerRowOf, type WorkerRow } from "./worker-protocol.ts";

/** What the live index reads from the database: searchable items and the `item_versions.seq` of changes. */
export interface IndexSource {
  /** The highest `item_versions.seq`: every create, update and delete adds a row. */
  maxSeq(): Promise<number>;
  /** Every searchable item at its current version, a batch at a time. */
  searchableItems(): AsyncIterable<WorkerRow[]>;
  /** Ids of items with a version written after `seq`. */
  changedSince(seq: number): Promise<string[]>;
  /** Ids of every searchable item. */
  liveIds(): Promise<Set<string>>;
  /** Current state of the given items: a row to index, or null when it must leave the index. */
  currentItems(ids: readonly string[]): Promise<Map<string, WorkerRow | null>>;
}

/** Options of {@link LiveIndex}. */
export interface LiveIndexOptions {
  readonly source: IndexSource;
  /** The node's data folder: the base index is kept in `<dataDir>/search/`. `":memory:"` keeps nothing on disk. */
  readonly dataDir: string;
  readonly logger?: Logger;
  /** How long changes gather before a delta build starts, in ms (default 50). */
  readonly flushDelayMs?: number;
  /** Compaction starts when the deltas hold this many documents and a quarter of the base (default 256). */
  readonly compactMinDocs?: number;
  /** …or when there are this many delta segments (default 32). */
  readonly compactMaxSegments?: number;
  /** The base is built and kept in pieces of this many documents, bounding a build's memory (default 2,000). */
  readonly baseChunkDocs?: number;
  /** Called when a compaction has swapped in a new base (before the next query sees it). */
  readonly onNewBase?: () => void;
}

/** Counters of the index, for tests and the benchmark. */
export interface IndexStats {
  /** Documents in the base (current or superseded). */
  readonly baseDocs: number;
  /** Pieces the base is kept in. */
  readonly baseSegments: number;
  readonly deltaSegments: number;
  readonly deltaDocs: number;
  /** Items searchable now. */
  readonly liveItems: number;
  /** `item_versions.seq` the base segment covers. */
  readonly baseSeq: number;
  /** Whether the base came from disk at start. */
  readonly loadedFromDisk: boolean;
  readonly compactions: number;
  readonly deltaBuilds: number;
}

/**
 * The segments a query runs on, and which document of them is each item's current version.
 * A base (built from the database in pieces, saved to disk) plus delta segments built from
 * the changes it is told of; compaction folds the deltas into a new base. Builds run in
 * worker threads, never on the event loop; this class schedules them (flush, compaction,
 * start-up and catch-up) and {@link LiveDocs} keeps which version is current.
 */
export class LiveIndex {
  private readonly source: IndexSource;
  private readonly logger?: Logger;
  private readonly onNewBase?: () => void;
  private readonly flushDelay: number;
  private readonly compactMinDocs: number;
  private readonly compactMaxSegments: number;
  private readonly baseChunkDocs: number;
  private readonly file: string | undefined;
  private readonly workers = new IndexWorkers();

  /** The base's pieces: built together by one compaction, saved together. */
  private base: Segment[] = [];
  private baseSeq = 0;
  private readonly docs = new LiveDocs();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;
  private isReady = false;
  private loadedFromDisk = false;
  private compactions = 0;
  private deltaBuilds = 0;

  constructor(options: LiveIndexOptions) {
    this.source = options.source;
    this.logger = options.logger;
    this.onNewBase = options.onNewBase;
    this.flushDelay = options.flushDelayMs ?? 50;
    this.compactMinDocs = options.compactMinDocs ?? 256;
    this.compactMaxSegments = options.compactMaxSegments ?? 32;
    this.baseChunkDocs = options.baseChunkDocs ?? 2000;
    this.file = baseFileOf(options.dataDir);
  }

  /** Every segment holding a current document (base pieces first); changes between queries. */
  get segments(): readonly Segment[] {
    return this.docs.segments;
  }

  /** Whether document `doc` of `seg` is its item's current version. */
  isCurrent(seg: Segment, doc: number): boolean {
    return this.docs.isCurrent(seg, doc);
  }

  /** Where every searchable item's current version sits. */
  live(): IterableIterator<Pointer> {
    return this.docs.live();
  }

  /** Loads the saved base (and catches up with changes written since) or builds one; call once. */
  start(): void {
    this.starting = (async () => {
      if (this.file) await removeFormerBases(this.file);
      this.loadedFromDisk = await this.loadBase();
      if (this.loadedFromDisk) await this.catchUp();
      else await this.startCompaction();
      this.isReady = true;
    })()
      .catch((error) => {
        if (!this.closed) this.logger?.error("search: start-up failed", { error: String(error) });
      })
      .finally(() => (this.starting = undefined));
  }

  /** Whether start-up has finished: the index holds every item the database held then. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Waits until {@link ready}, or `ms` at most; resolves with whether it is ready. */
  async untilReady(ms: number): Promise<boolean> {
    if (this.isReady || !this.starting) return this.isReady;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.starting, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
    return this.isReady;
  }

  /** Takes in changes the library announces: a removal applies at once, the rest in the next delta build. */
  apply(changes: readonly LibraryChange[]): void {
    if (this.closed) return;
    for (const change of changes) {
      if (change.kind === "deleted") this.docs.noteRemoved(change.id);
      else if (change.item.deleted || !change.item.verified) this.docs.noteRemoved(change.item.id);
      else this.docs.noteStored(workerRowOf(change.item, change.item.document));
    }
    this.scheduleFlush();
  }

  /** Resolves once every change applied so far is searchable. */
  async settled(): Promise<void> {
    while (!this.closed) {
      if (this.flushTimer) {
        clearTimeout(this.flushTimer);
        this.flush();
      }
      const waits = [this.starting, this.flushing, this.compacting].filter((p): p is Promise<void> => p !== undefined);
      if (waits.length === 0 && this.docs.pendingCount === 0) return;
      if (waits.length === 0) this.flush();
      await Promise.all(waits);
    }
  }

  /** Rebuilds the base from the database now (after start-up) and waits for it. */
  async compact(): Promise<void> {
    await this.starting;
    await this.startCompaction();
  }

  /** Counters, for tests and the benchmark. */
  stats(): IndexStats {
    const { docs, segs } = this.docs.deltaSize(this.base);
    return {
      baseDocs: this.base.reduce((n, s) => n + s.size, 0),
      baseSegments: this.base.length,
      deltaSegments: segs,
      deltaDocs: docs,
      liveItems: this.docs.size,
      baseSeq: this.baseSeq,
      loadedFromDisk: this.loadedFromDisk,
      compactions: this.compactions,
      deltaBuilds: this.deltaBuilds,
    };
  }

  /** Stops the workers; nothing is written, and changes applied later are ignored. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.workers.close();
  }

  private scheduleFlush(delay = this.flushDelay): void {
    if (this.closed || this.flushTimer || this.flushing || this.docs.pendingCount === 0) return;
    this.flushTimer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.closed || this.flushing || this.docs.pendingCount === 0) return;
    const batch = this.docs.takePending();
    this.flushing = (async () => {
      try {
        const seg = new Segment(sharedData(await this.workers.buildDelta(batch.map((b) => b.row))));
        this.deltaBuilds++;
        if (this.closed) return;
        this.docs.addDelta(seg, batch);
      } catch (error) {
        if (this.closed) return;
        this.logger?.error("search: delta build failed; rebuilding the base from the database instead", {
          error: String(error),
        });
        void this.startCompaction();
      }
    })().finally(() => {
      this.flushing = undefined;
      if (this.docs.pendingCount > 0) this.scheduleFlush(0);
      else this.maybeCompact();
    });
  }

  private maybeCompact(): void {
    if (this.closed || this.compacting) return;
    const { docs, segs } = this.docs.deltaSize(this.base);
    const threshold = Math.max(this.compactMinDocs, Math.floor(this.base.reduce((n, s) => n + s.size, 0) / 4));
    if (docs >= threshold || segs >= this.compactMaxSegments) void this.startCompaction();
  }

  /** Builds a new base from the database in the compaction worker and swaps it in. */
  private startCompaction(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.compacting) return this.compacting;
    this.compacting = (async () => {
      const startGen = this.docs.generation;
      const replaced = this.docs.snapshot();
      const seq = await this.source.maxSeq();
      const build = this.workers.compaction().begin(this.baseChunkDocs);
      for await (const rows of this.source.searchableItems()) {
        if (this.closed) break;
        await build.add(rows);
      }
      const parts = await build.end({ file: this.file, extra: { seq } });
      if (this.closed) return;
      this.swapBase(
        parts.map((d) => new Segment(sharedData(d))),
        seq,
        startGen,
        replaced,
      );
      this.compactions++;
    })()
      .catch((error) => {
        if (!this.closed)
          this.logger?.error("search: compaction failed; the current segments keep serving", { error: String(error) });
      })
      .finally(() => {
        this.compacting = undefined;
        this.workers.releaseCompaction();
      });
    return this.compacting;
  }

  private swapBase(parts: Segment[], seq: number, startGen: number, replaced: ReadonlySet<Segment>): void {
    this.docs.replaceBase(parts, startGen, replaced);
    this.base = parts;
    this.baseSeq = seq;
    this.onNewBase?.();
    this.workers.setCorpus(parts.map((s) => s.data));
  }

  private async loadBase(): Promise<boolean> {
    if (!this.file) return false;
    const saved = await readBaseFile(this.file);
    if (!saved.ok && saved.reason === "missing") return false;
    if (!saved.ok || saved.seq > (await this.source.maxSeq())) {
      this.logger?.warn("search: the saved index does not match this database; rebuilding it", { file: this.file });
      return false;
    }
    const { parts: data, seq } = saved;
    const parts = data.map((d) => new Segment(sharedData(d)));
    this.docs.loadBase(parts);
    this.base = parts;
    this.baseSeq = seq;
    this.workers.setCorpus(data);
    return true;
  }

  /** Indexes what changed in the database since the base was saved. */
  private async catchUp(): Promise<void> {
    const ids = new Set(await this.source.changedSince(this.baseSeq));
    for (const id of await this.unlisted()) ids.add(id);
    await this.refresh([...ids]);
  }

  /** Indexed items no longer live: removed without a new version (a blocked peer's purge) leave no seq behind. */
  private async unlisted(): Promise<string[]> {
    const live = await this.source.liveIds();
    return [...this.docs.ids()].filter((id) => !live.has(id));
  }

  /**
   * Reads the given items from the database and indexes them as they are now (or removes
   * them): changes written by another process on the same database.
   */
  async refresh(ids: readonly string[]): Promise<void> {
    if (this.closed || ids.length === 0) return;
    const rows = await this.source.currentItems(ids);
    if (this.closed) return;
    for (const [id, row] of rows) {
      if (row) this.docs.noteStored(row);
      else this.docs.noteRemoved(id);
    }
    this.scheduleFlush(0);
  }

  /** Removes indexed items the database no longer holds live (purged by another process); after start-up only. */
  async reconcile(): Promise<void> {
    if (!this.isReady || this.closed) return;
    await this.refresh(await this.unlisted());
  }
}
