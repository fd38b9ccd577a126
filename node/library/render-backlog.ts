import type { ItemStore } from "../db/item-store.ts";
import type { VersionHtml } from "../db/item-writes.ts";
import type { MetaStore } from "../db/meta-store.ts";
import type { RenderDocument } from "./model.ts";

/** How far the backlog has looked: versions up to this `seq` have their HTML (or failed to render). */
const RENDERED_THROUGH_KEY = "rendered-through-seq";

/** Versions read, rendered and written per step: bounds the memory a pass holds. */
const CHUNK = 100;

/**
 * Rendering shares the CPU and the database connection with ingest: a chunk waits until no
 * version has been stored for this long, so a backfill runs at verification speed and the
 * rendering follows when it has done…
 */
const QUIET_MS = 250;

/**
 * …but under ingest that never pauses, a chunk goes ahead after waiting this long; except
 * while a bulk load holds the backlog (see {@link RenderBacklog.hold}).
 */
const MAX_WAIT_MS = 5_000;

/** Options of {@link createRenderBacklog}. */
export interface RenderBacklogOptions {
  readonly store: ItemStore;
  readonly meta: MetaStore;
  readonly render: RenderDocument;
  /** Told of a pass that failed, or of versions that would not render (reads render those); defaults to a process warning. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Peers' versions waiting for their HTML. Ingest stores a verified version at once, without
 * HTML, and kicks the backlog; the backlog reads what is waiting from the database, a chunk at
 * a time, renders it through `render` (the render worker in a running node) and writes the HTML
 * back. So ingest runs at verification speed whatever rendering costs, the waiting work is on
 * disk (not in memory) and survives a restart, and a read of a version not yet rendered renders
 * it for itself without writing. Each chunk first waits for ingest to pause (see QUIET_MS). A
 * node started over versions an older node stored unrendered renders them the same way.
 */
export interface RenderBacklog {
  /** Says a version was just stored without HTML and asks for a pass; returns at once. */
  kick(): void;
  /** Runs a pass (or joins the one under way) and resolves, once nothing waits, with how many versions it rendered. */
  drain(): Promise<number>;
  /**
   * Holds rendering back while a bulk load (a backfill) runs: its pages come a second or so
   * apart, each gap long enough to look like a pause, and rendering in those gaps would take
   * the CPU from the verification of the next page. Reads render what waits meanwhile.
   * Returns the release; once every hold is released, the backlog renders what waits at once.
   */
  hold(): () => void;
  /** Stops after the chunk under way; kicks after this do nothing. */
  close(): Promise<void>;
}

/** Creates the backlog over the store; it does nothing until kicked or drained. */
export function createRenderBacklog(options: RenderBacklogOptions): RenderBacklog {
  const { store, meta, render } = options;
  const onError = options.onError ?? ((e: unknown) => process.emitWarning(`rendering: ${String(e)}`));
  let after: number | null = null;
  let running: Promise<number> | null = null;
  let again = false;
  let closed = false;
  let lastStored = Number.NEGATIVE_INFINITY;
  let holds = 0;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
      timer.unref();
    });

  /** Waits while a bulk load holds the backlog, then until ingest pauses for QUIET_MS, or MAX_WAIT_MS at most. */
  async function yieldToIngest(): Promise<void> {
    const start = performance.now();
    for (;;) {
      if (closed) return;
      if (holds > 0) {
        // Woken by the last release (or by close).
        await sleep(MAX_WAIT_MS);
        continue;
      }
      const quietFor = performance.now() - lastStored;
      const waited = performance.now() - start;
      if (closed || quietFor >= QUIET_MS || waited >= MAX_WAIT_MS) return;
      await sleep(Math.min(QUIET_MS - quietFor, MAX_WAIT_MS - waited));
    }
  }

  async function pass(): Promise<number> {
    let count = 0;
    do {
      again = false;
      after ??= Number((await meta.get(RENDERED_THROUGH_KEY)) ?? 0);
      const through = await store.maxSeq();
      for (;;) {
        await yieldToIngest();
        if (closed) return count;
        const rows = await store.unrendered(after, through, CHUNK);
        if (rows.length === 0) break;
        const settled = await Promise.allSettled(
          rows.map(
            async (r): Promise<VersionHtml> => ({
              itemId: r.itemId,
              version: r.version,
              text: JSON.stringify(await render(JSON.parse(r.text) as Record<string, unknown>)),
            }),
          ),
        );
        const rendered = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
        const failed = settled.length - rendered.length;
        if (failed > 0) onError(new Error(`${failed} of ${rows.length} versions would not render; reads render them`));
        await store.setRendered(rendered);
        count += rendered.length;
        after = rows.at(-1)!.seq;
      }
      after = through;
      await meta.set(RENDERED_THROUGH_KEY, String(through));
    } while (again && !closed);
    return count;
  }

  function drain(): Promise<number> {
    if (closed) return Promise.resolve(0);
    if (!running) {
      running = pass().finally(() => {
        running = null;
      });
      return running;
    }
    // Joins the pass under way, which looks again before it ends; if it had already looked
    // its last, a new pass follows it.
    again = true;
    return running.then(async (n) => n + (again && !closed ? await drain() : 0));
  }

  return {
    kick() {
      lastStored = performance.now();
      drain().catch(onError);
    },
    drain,
    hold() {
      holds++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        if (holds === 0) wake?.();
      };
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      wake?.();
      await running?.catch(() => {});
    },
  };
}

/**
 * Renders, through `render` and a chunk at a time, the versions stored without HTML since the
 * last pass (of this or an earlier process); returns how many it rendered.
 */
export function renderUnrendered(options: RenderBacklogOptions): Promise<number> {
  return createRenderBacklog(options).drain();
}
