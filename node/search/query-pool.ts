import { Worker } from "node:worker_threads";
import type { Logger } from "../log.ts";
import { QueryError, type QueryLimits } from "./query.ts";
import type { QueryReply, QueryRequest, QueryWorkerData, SharedSegment, WireError } from "./query-protocol.ts";
import type { IndexView, SearchQuery, SearchResponse } from "./searcher.ts";
import type { Segment } from "./segment.ts";
import type { SnippetSource } from "./snippet.ts";

/**
 * Thrown when every query thread already has its share of searches waiting: the node
 * answers 503 at once rather than queueing without bound.
 */
export class SearchBusyError extends Error {
  override name = "SearchBusyError";
}

/** Options of {@link QueryPool}. */
export interface QueryPoolOptions {
  /** The live index: its segments are sent to the threads before each query that finds them changed. */
  readonly index: Pick<IndexView, "segments">;
  /** Changes each time a compaction swaps in a new base. */
  readonly baseVersion: () => number;
  /** Query threads to start, on the first search (0: every search runs on the main thread). */
  readonly threads: number;
  /** Searches waiting or running in the threads at most; beyond it {@link SearchBusyError} (default 32). */
  readonly maxQueued?: number;
  /** Where the threads' snippets read the texts the index does not keep (the main thread's database). */
  readonly snippets: SnippetSource;
  /** Runs a search on the main thread: while no thread is ready yet, or after one failed. */
  readonly onMainThread: (query: SearchQuery) => Promise<SearchResponse>;
  readonly queryLimits?: Partial<QueryLimits>;
  readonly querySliceMs?: number;
  /** The threads stop after this long without a search (default 30 s); the next search starts them again. */
  readonly idleMs?: number;
  readonly logger?: Logger;
}

/** How long query threads outlive the last search by default: a node at rest keeps none. */
const IDLE_MS = 30_000;

/** A query failed because its thread stopped; the pool answers it on the main thread instead. */
class ThreadGone extends Error {
  override name = "ThreadGone";
}

function errorOf(wire: WireError): Error {
  if (wire.name !== "QueryError") return new Error(wire.message);
  const { reason, term, limit } = wire;
  return new QueryError(wire.message, wire.start ?? 0, wire.end ?? 0, { reason, term, limit });
}

/** One query thread and the searches it has been given. */
class QueryThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: SearchResponse) => void; reject: (e: Error) => void }>();
  private nextJob = 1;
  /** What the thread was last told: the segment list (by identity), its ids, and the base. */
  private sentList: readonly Segment[] | undefined;
  private sentIds = new Set<number>();
  private sentBase = -1;
  ready = false;
  gone = false;
  /** Stopped on purpose (idle, or the pool closing): its exit is not a failure. */
  private closing = false;
  facetValues = 0;

  constructor(
    name: string,
    data: QueryWorkerData,
    private readonly snippets: SnippetSource,
    onGone: (error: Error) => void,
  ) {
    // execArgv []: worker-boot.mjs registers tsx itself, whatever the parent was started with.
    this.worker = new Worker(new URL("./worker-boot.mjs", import.meta.url), { name, execArgv: [], workerData: data });
    this.worker.unref();
    this.worker.on("message", (reply: QueryReply) => this.onReply(reply));
    const fail = (error: Error) => {
      if (this.gone) return;
      this.gone = true;
      this.ready = false;
      for (const p of this.pending.values()) p.reject(new ThreadGone(error.message));
      this.pending.clear();
      this.worker.unref();
      if (!this.closing) onGone(error);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`search query thread exited (code ${code})`)));
  }

  /** Searches given and not yet answered. */
  get load(): number {
    return this.pending.size;
  }

  /** Sends the segments if they changed since last time, then the query; answers in the order sent. */
  run(segments: readonly Segment[], base: number, ids: (seg: Segment) => number, query: SearchQuery) {
    if (segments !== this.sentList || base !== this.sentBase) {
      const list = segments.map(ids);
      const add: SharedSegment[] = [];
      segments.forEach((seg, k) => {
        if (!this.sentIds.has(list[k]!)) add.push({ id: list[k]!, data: seg.data, current: seg.current });
      });
      this.post({ kind: "segments", list, add, base });
      this.sentList = segments;
      this.sentIds = new Set(list);
      this.sentBase = base;
    }
    const job = this.nextJob++;
    // A search in flight keeps the process alive; an idle thread does not.
    if (this.pending.size === 0) this.worker.ref();
    const answer = new Promise<SearchResponse>((resolve, reject) => this.pending.set(job, { resolve, reject }));
    this.post({ kind: "search", job, query });
    return answer;
  }

  private post(message: QueryRequest): void {
    this.worker.postMessage(message);
  }

  private onReply(reply: QueryReply): void {
    if (reply.kind === "ready") {
      this.ready = !this.gone;
      return;
    }
    if (reply.kind === "texts") {
      this.snippets.texts(reply.ids, reply.maxBody).then(
        (texts) => this.post({ kind: "texts", req: reply.req, texts }),
        (error: unknown) => this.post({ kind: "texts", req: reply.req, error: String(error) }),
      );
      return;
    }
    const p = this.pending.get(reply.job);
    if (!p) return;
    this.pending.delete(reply.job);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.kind === "result") {
      this.facetValues = reply.facetValues;
      p.resolve(reply.response);
    } else p.reject(errorOf(reply.error));
  }

  /** Stops the thread; searches it had not answered are rejected (the pool answers them on the main thread). */
  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}

/**
 * Searches answered by a few worker threads, so that a burst of them leaves the main thread
 * (inbox, publishing, pages) free. The threads read the main thread's index in shared memory
 * and are told of a changed segment list before the query it applies to, so they answer as
 * the main thread would at that moment; a query that raced with a change of the index is
 * run again (twice at most), so its answer is the index before or after the change, never
 * a mix. Threads start on the first search (their start-up, loading TypeScript, takes a
 * second or two); until one is ready, searches run on the main thread. They stop once no
 * search has come for `idleMs`, so a node at rest does not keep their memory.
 */
export class QueryPool {
  private readonly threads: QueryThread[] = [];
  private readonly ids = new WeakMap<Segment, number>();
  private nextId = 1;
  private readonly maxQueued: number;
  private readonly idleMs: number;
  private closed = false;
  /** Searches running now (in a thread or on the main thread). */
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** How many times the threads were started (for tests and the benchmark). */
  starts = 0;

  constructor(private readonly options: QueryPoolOptions) {
    this.maxQueued = options.maxQueued ?? 32;
    this.idleMs = options.idleMs ?? IDLE_MS;
  }

  /** Threads ready to answer. */
  get readyThreads(): number {
    return this.threads.filter((t) => t.ready).length;
  }

  /** The threads' interned facet values (the largest), for the service's stats. */
  get facetValues(): number {
    return Math.max(0, ...this.threads.map((t) => t.facetValues));
  }

  /** Runs a query in the least busy ready thread (or on the main thread while none is ready). */
  async search(query: SearchQuery): Promise<SearchResponse> {
    clearTimeout(this.idleTimer);
    this.inFlight++;
    try {
      return await this.searchNow(query);
    } finally {
      if (--this.inFlight === 0 && this.threads.length > 0 && !this.closed) {
        this.idleTimer = setTimeout(() => void this.stopIdle(), this.idleMs);
        this.idleTimer.unref();
      }
    }
  }

  private async searchNow(query: SearchQuery): Promise<SearchResponse> {
    this.start();
    const ready = this.threads.filter((t) => t.ready);
    if (ready.length === 0) return this.options.onMainThread(query);
    if (ready.reduce((n, t) => n + t.load, 0) >= this.maxQueued)
      throw new SearchBusyError("the node is answering too many searches; try again in a moment");
    const thread = ready.reduce((a, b) => (b.load < a.load ? b : a));
    const id = (seg: Segment) => {
      let n = this.ids.get(seg);
      if (n === undefined) this.ids.set(seg, (n = this.nextId++));
      return n;
    };
    try {
      for (let attempt = 0; ; attempt++) {
        const segments = this.options.index.segments;
        const response = await thread.run(segments, this.options.baseVersion(), id, query);
        // The segment list is a new array after every change of the index (live-docs.ts).
        if (this.options.index.segments === segments || attempt === 2) return response;
      }
    } catch (error) {
      if (error instanceof ThreadGone) return this.options.onMainThread(query);
      throw error;
    }
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await Promise.allSettled(this.threads.map((t) => t.close()));
  }

  /** Stops the threads when no search has come since the timer was set. */
  private async stopIdle(): Promise<void> {
    if (this.inFlight > 0 || this.closed) return;
    const stopping = this.threads.splice(0);
    await Promise.allSettled(stopping.map((t) => t.close()));
  }

  private start(): void {
    if (this.closed || this.threads.length > 0) return;
    this.starts++;
    const { queryLimits, querySliceMs } = this.options;
    const data: QueryWorkerData = {
      module: "./query-worker.ts",
      ...(queryLimits ? { queryLimits: queryLimits as Record<string, number> } : {}),
      ...(querySliceMs !== undefined ? { querySliceMs } : {}),
    };
    for (let i = 0; i < this.options.threads; i++) {
      this.threads.push(
        new QueryThread(`wego-search-query-${i}`, data, this.options.snippets, (error) => {
          if (!this.closed)
            this.options.logger?.error("search: a query thread stopped; its searches run on the main thread", {
              error: String(error),
            });
        }),
      );
    }
  }
}
