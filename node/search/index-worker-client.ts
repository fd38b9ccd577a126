import { Worker } from "node:worker_threads";
import { OnDemand } from "../on-demand.ts";
import { corpusStatsOf, type SegmentData } from "./segment.ts";
import type { WorkerReply, WorkerRequest, WorkerRow } from "./worker-protocol.ts";

/** A build in progress on a worker: feed it rows, then end it. */
export interface WorkerBuild {
  /**
   * Sends rows to the worker. Resolves at once while few batches wait in the worker's queue,
   * else once it has indexed one: a reader that awaits it never holds more than
   * {@link IN_FLIGHT} batches in memory, however fast it reads and however large the library.
   */
  add(rows: readonly WorkerRow[]): Promise<void>;
  /** Builds the segment; with `file`, the worker also writes it there (atomically). */
  end(options?: {
    readonly file?: string;
    readonly extra?: Record<string, unknown>;
    readonly useCorpus?: boolean;
  }): Promise<SegmentData[]>;
}

/** Batches of rows a build keeps sent and not yet indexed (see {@link WorkerBuild.add}). */
const IN_FLIGHT = 4;

/** One worker thread that builds index segments, one build after another. */
export class IndexWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (d: SegmentData[]) => void; reject: (e: Error) => void }>();
  /** Per job, batches sent and not yet indexed, and who waits for one to be. */
  private readonly inFlight = new Map<number, { count: number; wake?: () => void }>();
  private nextJob = 1;
  private open = 0;
  private failure?: Error;

  constructor(name: string) {
    // execArgv [] : the boot file registers tsx itself, whatever the parent was started with.
    this.worker = new Worker(new URL("./worker-boot.mjs", import.meta.url), { name, execArgv: [] });
    this.worker.unref();
    this.worker.on("message", (reply: WorkerReply) => {
      if (reply.kind === "added") {
        const flight = this.inFlight.get(reply.job);
        if (flight) flight.count--;
        flight?.wake?.();
        return;
      }
      const w = this.waiting.get(reply.job);
      if (!w) return;
      this.waiting.delete(reply.job);
      this.release();
      if (reply.kind === "built") w.resolve([...reply.parts]);
      else w.reject(new Error(`search index build failed: ${reply.message}`));
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
      for (const flight of this.inFlight.values()) flight.wake?.();
      this.inFlight.clear();
      this.open = 0;
      this.worker.unref();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`search index worker exited (code ${code})`)));
  }

  private hold(): void {
    // A pending build keeps the process alive; an idle worker does not.
    if (this.open++ === 0) this.worker.ref();
  }

  private release(): void {
    if (--this.open === 0) this.worker.unref();
  }

  private post(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  /** Starts a build; rows are sent as they come, so a large build never sits in one message. */
  begin(chunkDocs = 0): WorkerBuild {
    if (this.failure) throw this.failure;
    const job = this.nextJob++;
    this.hold();
    this.post({ kind: "begin", job, chunkDocs });
    const flight: { count: number; wake?: () => void } = { count: 0 };
    this.inFlight.set(job, flight);
    let ended = false;
    return {
      add: async (rows) => {
        if (ended || this.failure) return;
        this.post({ kind: "add", job, rows });
        flight.count++;
        while (flight.count >= IN_FLIGHT && !this.failure) {
          await new Promise<void>((resolve) => (flight.wake = resolve));
          flight.wake = undefined;
        }
      },
      end: (options = {}) => {
        ended = true;
        this.inFlight.delete(job);
        if (this.failure) {
          this.release();
          return Promise.reject(this.failure);
        }
        const done = new Promise<SegmentData[]>((resolve, reject) => this.waiting.set(job, { resolve, reject }));
        this.post({ kind: "end", job, ...options });
        return done;
      },
    };
  }

  /** Builds a segment of a few rows, scored against the corpus last given to {@link setCorpus}. */
  async build(rows: readonly WorkerRow[]): Promise<SegmentData> {
    const b = this.begin();
    void b.add(rows);
    const [data] = await b.end({ useCorpus: true });
    return data!;
  }

  /** Gives the worker the base's statistics (term rarity, field lengths). */
  setCorpus(base: readonly SegmentData[]): void {
    if (this.failure) return;
    const stats = corpusStatsOf(base);
    const terms = [...stats.df.keys()];
    const dfs = Uint32Array.from(terms, (t) => stats.df.get(t)!);
    this.worker.postMessage(
      {
        kind: "corpus",
        job: 0,
        terms,
        dfs,
        docCount: stats.docCount,
        avgLengths: stats.avgLengths,
      } satisfies WorkerRequest,
      [dfs.buffer],
    );
  }

  /** Stops the thread; builds in progress are rejected. */
  async close(): Promise<void> {
    this.failure ??= new Error("search index worker closed");
    await this.worker.terminate();
  }
}

/** How long the delta thread stays without a build before it stops. */
const DELTA_IDLE_MS = 30_000;

/**
 * The two index threads of a node: one for delta builds, one for compactions. Each starts on
 * first use: booting a worker (tsx, the modules) costs a second or two of CPU, which a node
 * that only loads its saved base and serves should not pay at start. The delta thread stops
 * after {@link DELTA_IDLE_MS} without a build and the compaction thread after each compaction,
 * so a node at rest runs neither (each is tens of megabytes of RSS).
 */
export class IndexWorkers {
  private readonly deltaThread: OnDemand<IndexWorker>;
  private compactWorker: IndexWorker | undefined;
  private corpus: SegmentData[] | undefined;

  constructor(deltaIdleMs = DELTA_IDLE_MS) {
    this.deltaThread = new OnDemand(() => {
      const worker = new IndexWorker("wego-search-delta");
      if (this.corpus) worker.setCorpus(this.corpus);
      return worker;
    }, deltaIdleMs);
  }

  /** Builds a delta segment of a few rows on the delta thread, scored against the corpus last given to {@link setCorpus}. */
  buildDelta(rows: readonly WorkerRow[]): Promise<SegmentData> {
    return this.deltaThread.use((worker) => worker.build(rows));
  }

  /** Whether a delta thread runs now, and how many have been started so far. */
  deltaThreads(): { running: boolean; started: number } {
    return { running: this.deltaThread.peek() !== undefined, started: this.deltaThread.started };
  }

  /** The compaction thread, until {@link releaseCompaction}. */
  compaction(): IndexWorker {
    this.compactWorker ??= new IndexWorker("wego-search-compact");
    return this.compactWorker;
  }

  /** Lets an idle compaction thread go: a big base takes most of the memory of a build. */
  releaseCompaction(): void {
    const w = this.compactWorker;
    this.compactWorker = undefined;
    void w?.close();
  }

  /** Gives delta builds the base's statistics, now and in a delta thread started later. */
  setCorpus(parts: SegmentData[]): void {
    this.corpus = parts;
    this.deltaThread.peek()?.setCorpus(parts);
  }

  /** Stops both threads; builds in progress are rejected. */
  async close(): Promise<void> {
    await Promise.allSettled([this.deltaThread.close(), this.compactWorker?.close()]);
  }
}
