import type { Context } from "@fedify/fedify";
import type { Logger } from "../log.ts";
import { ingestJsonObject, type IngestDeps } from "./ingest.ts";
import type { PeerStore } from "../db/peer-store.ts";
import { type RunOnceLocks, singleProcessLocks } from "../db/run-once.ts";
import {
  BackfillLimitError,
  OutboxShapeError,
  ACTIVITY_TYPES,
  isCollectionType,
  failureOf,
  pageKey,
  linkOf,
} from "./outbox-walk.ts";
import { contactErrorMessage } from "./contact-errors.ts";

// Importing a followed peer's library from its outbox, resumably: a full run after the
// peer accepts our Follow (or an admin's resync), an incremental one at every catch-up.

/** Options of {@link createBackfill}. */
export interface BackfillOptions {
  readonly peers: PeerStore;
  /** What each outbox entry goes through: the same checks as a delivered item. */
  readonly ingest: IngestDeps;
  readonly logger: Logger;
  /** Items per outbox page (default 100): an incremental run stops after a page it already held. */
  readonly pageSize?: number;
  /**
   * How often to catch up with every followed peer by reading the newest pages of its
   * outbox (default 15 minutes): what heals deliveries a peer gave up on while we were
   * unreachable.
   */
  readonly catchUpIntervalMs?: number;
  /** Bounds on one run (defaults in {@link DEFAULT_BACKFILL_LIMITS}). */
  readonly limits?: BackfillLimits;
  /** The locks shared by the processes on this database: a peer's run holds `backfill:<actor>` (default: this process is the only one). */
  readonly locks?: RunOnceLocks;
}

/**
 * Bounds on one backfill run, so that an outbox that loops, never ends or lists too much
 * costs a known amount of work. The defaults fit the network's aim, a peer of up to
 * ~100,000 items read 100 a page, with room to grow. A run that reaches a bound ends as
 * `failed` with the reason as the peer's `lastError`; after that only the next periodic
 * catch-up (or an admin's resync) walks that outbox again.
 */
export interface BackfillLimits {
  /** Outbox pages read in one run (default 1,500). */
  readonly maxPages?: number;
  /** Entries read in one run, over all its pages (default 150,000). */
  readonly maxItems?: number;
  /** Entries read from one page; a page listing more ends the run (default the larger of 500 and 2 × pageSize). */
  readonly maxEntriesPerPage?: number;
}

/** Default {@link BackfillLimits} (entries per page: the larger of this and 2 × pageSize). */
export const DEFAULT_BACKFILL_LIMITS = { maxPages: 1_500, maxItems: 150_000, maxEntriesPerPage: 500 } as const;

/** A whole walk of the outbox (resuming from a stored cursor), or its newest pages only. */
export type BackfillMode = "full" | "incremental";

/** Who asked for a run: the periodic catch-up (and start-up), an admin, or a peer's activity. */
export type BackfillTrigger = "schedule" | "admin" | "peer";

/** The background imports of followed peers' libraries. */
export interface Backfill {
  /**
   * Starts importing a peer's library in the background, unless a run for it is going
   * already or a failed run holds it back. `ctx` signs the outbox fetches.
   */
  start(ctx: Context<void>, peerId: string, mode: BackfillMode, trigger: BackfillTrigger): void;
  /** Resumes interrupted imports and catches up with every followed peer, now and every catch-up interval. */
  startCatchUp(ctx: Context<void>): Promise<void>;
  /** Stops the catch-up and waits for running imports (they keep their cursor, and resume at the next start). */
  close(): Promise<void>;
}

/** Builds the backfill of followed peers. */
export function createBackfill(options: BackfillOptions): Backfill {
  const { peers, logger } = options;
  const city = options.ingest.identity.city;
  const catchUpIntervalMs = options.catchUpIntervalMs ?? 15 * 60_000;
  const locks = options.locks ?? singleProcessLocks();
  const pageSize = options.pageSize ?? 100;
  const limits = {
    maxPages: options.limits?.maxPages ?? DEFAULT_BACKFILL_LIMITS.maxPages,
    maxItems: options.limits?.maxItems ?? DEFAULT_BACKFILL_LIMITS.maxItems,
    maxEntriesPerPage:
      options.limits?.maxEntriesPerPage ?? Math.max(DEFAULT_BACKFILL_LIMITS.maxEntriesPerPage, 2 * pageSize),
  };
  const abort = new AbortController();
  const running = new Map<string, Promise<void>>();
  /** Runs that failed (on a limit or otherwise), by peer: when they started and who started them. */
  const failedRuns = new Map<string, { readonly startedAt: number; readonly trigger: BackfillTrigger }>();
  let catchUp: NodeJS.Timeout | undefined;

  /**
   * Whether a run may start now. After a run failed (a limit, or the peer's own fault),
   * one catch-up interval passes before the next one, so a peer whose outbox loops costs
   * at most one run's budget per interval however often it sends an Accept; the catch-up
   * ticks are one interval apart already, and an admin may always resync.
   */
  function mayStart(peerId: string, trigger: BackfillTrigger): boolean {
    if (trigger === "admin") return true;
    const last = failedRuns.get(peerId);
    if (!last || Date.now() - last.startedAt >= catchUpIntervalMs) return true;
    return trigger === "schedule" && last.trigger === "schedule";
  }

  function start(ctx: Context<void>, peerId: string, mode: BackfillMode, trigger: BackfillTrigger): void {
    if (running.has(peerId) || abort.signal.aborted) return;
    if (!mayStart(peerId, trigger)) {
      logger.info("backfill held back until the next catch-up: the last run failed", { peer: peerId, mode });
      return;
    }
    const startedAt = Date.now();
    // The pages' Markdown is rendered once the walk is done, not in the gaps between pages.
    const releaseRendering = options.ingest.library.holdRendering();
    // Another process on the same database may be walking this outbox: then it is its run.
    const run = locks
      .run(`backfill:${peerId}`, () => backfill(ctx, peerId, mode))
      .then((outcome) => {
        if (!outcome.ran) {
          logger.info("backfill left to the process already running it", { peer: peerId, mode });
          return "skipped" as const;
        }
        return outcome.value;
      })
      .then((outcome) => {
        if (outcome === "limited" || outcome === "failed") failedRuns.set(peerId, { startedAt, trigger });
        else if (outcome === "done") failedRuns.delete(peerId);
      })
      .catch((error: unknown) =>
        logger.warn("backfill could not start", { peer: peerId, error: String((error as Error)?.message ?? error) }),
      )
      .finally(() => {
        releaseRendering();
        running.delete(peerId);
      });
    running.set(peerId, run);
  }

  async function backfill(
    ctx: Context<void>,
    peerId: string,
    mode: BackfillMode,
  ): Promise<"done" | "failed" | "limited" | "skipped"> {
    const peer = await peers.get(peerId);
    if (!peer?.outbox || peer.weFollow !== "accepted") return "skipped";
    const documentLoader = await ctx.getDocumentLoader({ identifier: city });
    const peerOrigin = new URL(peerId).origin;
    const resume = mode === "full" && peer.backfillState === "running" && peer.backfillCursor;
    let done = resume ? peer.backfillDone : 0;
    let pageUrl: URL | null = resume ? new URL(peer.backfillCursor!) : null;
    const visited = new Set<string>();
    let pagesRead = 0;
    let entriesRead = 0;
    /** The outbox document, when it is its own page: read once, not fetched again. */
    let inline: Record<string, unknown> | null = null;
    /** The next page (full walks), fetched only when the checks at the loop's top would let it through. */
    let ahead: { readonly key: string; readonly page: Promise<Record<string, unknown>> } | null = null;

    // Documents are read as plain JSON, not through JSON-LD processing: every item
    // carries its signed document, and the origin's signature is what decides.
    async function readJson(url: URL): Promise<Record<string, unknown>> {
      if (url.origin !== peerOrigin)
        throw new OutboxShapeError(`the outbox left the peer's origin (${url.href})`, "other");
      const loaded = await documentLoader(url.href);
      // A redirect must not carry the walk to another origin either.
      if (URL.canParse(loaded.documentUrl) && new URL(loaded.documentUrl).origin !== peerOrigin)
        throw new OutboxShapeError(`the outbox left the peer's origin (${loaded.documentUrl})`, "other");
      const document = loaded.document;
      if (!document || typeof document !== "object" || Array.isArray(document))
        throw new OutboxShapeError(`${url.href} is not a JSON object`, "not-json");
      return document as Record<string, unknown>;
    }

    // A bad link or a failed fetch fails the walk where it is followed, after this page is stored.
    function fetchAhead(link: unknown): typeof ahead {
      let next: URL | null;
      try {
        next = linkOf(link);
      } catch {
        return null;
      }
      if (!next || next.origin !== peerOrigin || visited.has(pageKey(next)) || pagesRead >= limits.maxPages)
        return null;
      const page = readJson(next);
      page.catch(() => {}); // awaited when the walk reaches it
      return { key: pageKey(next), page };
    }

    try {
      if (!pageUrl) {
        const outbox = await readJson(new URL(peer.outbox));
        if (!isCollectionType(outbox.type))
          throw new OutboxShapeError(`${peer.outbox} is not an ActivityPub collection`, "not-collection");
        pageUrl = linkOf(outbox.first);
        // An outbox that lists its items itself, with no `first` page (snac's does), is
        // its own one page.
        if (!pageUrl && (outbox.orderedItems !== undefined || outbox.items !== undefined)) {
          pageUrl = new URL(peer.outbox);
          inline = outbox;
        }
        const total =
          Number.isSafeInteger(outbox.totalItems) && (outbox.totalItems as number) >= 0
            ? (outbox.totalItems as number)
            : 0;
        await peers.update(peerId, {
          backfillState: "running",
          backfillDone: 0,
          backfillTotal: total,
          backfillCursor: pageUrl?.href ?? null,
          lastSeen: new Date().toISOString(),
        });
      }
      let unchangedRun = 0;
      while (pageUrl && !abort.signal.aborted) {
        const key = pageKey(pageUrl);
        if (visited.has(key))
          throw new BackfillLimitError(
            `the outbox links back to a page already read in this run (a loop at ${pageUrl.href})`,
            "loop",
          );
        if (pagesRead >= limits.maxPages)
          throw new BackfillLimitError(
            `read ${limits.maxPages} outbox pages in one run, the limit; the walk stopped at ${pageUrl.href}`,
            "pages",
          );
        visited.add(key);
        pagesRead++;
        const page = inline ?? (ahead?.key === key ? await ahead.page : await readJson(pageUrl));
        inline = null;
        ahead = null;
        const listed = page.orderedItems ?? page.items ?? [];
        const entries = (Array.isArray(listed) ? listed : [listed]) as unknown[];
        if (entries.length > limits.maxEntriesPerPage) {
          throw new BackfillLimitError(
            `the outbox page ${pageUrl.href} lists ${entries.length} entries, more than the ${limits.maxEntriesPerPage} read from one page`,
            "entries-per-page",
          );
        }
        if (entriesRead + entries.length > limits.maxItems)
          throw new BackfillLimitError(
            `read ${entriesRead} outbox entries in one run, and the limit is ${limits.maxItems}; the walk stopped at ${pageUrl.href}`,
            "items",
          );
        entriesRead += entries.length;
        // Create and Update carry an item's signed version, Delete its signed Tombstone:
        // all go through the same verification, and the newest signed version wins. An
        // outbox may also list the objects themselves; they are read the same way.
        const objects = entries.flatMap((a): object[] => {
          const entry = a as { type?: unknown; object?: unknown; attributedTo?: unknown } | null;
          if (!entry || typeof entry !== "object") return [];
          if (entry.type === "Create" || entry.type === "Update" || entry.type === "Delete")
            return entry.object && typeof entry.object === "object" ? [entry.object] : [];
          return entry.attributedTo !== undefined && !ACTIVITY_TYPES.has(String(entry.type)) ? [entry] : [];
        });
        // The next page is fetched while this one is verified and stored: the walk takes as
        // long as the slower side (the peer serving, this node verifying), not their sum.
        if (mode === "full") ahead = fetchAhead(page.next);
        // Verified together, so the library commits the whole page in one transaction.
        const outcomes = await Promise.all(
          objects.map((object) => ingestJsonObject(options.ingest, object, new URL(peerId))),
        );
        for (const outcome of outcomes) {
          done++;
          unchangedRun = outcome.ok && outcome.status === "unchanged" ? unchangedRun + 1 : 0;
        }
        pageUrl = linkOf(page.next);
        await peers.update(peerId, {
          backfillDone: done,
          backfillCursor: pageUrl?.href ?? null,
          lastSeen: new Date().toISOString(),
        });
        // Catching up: once a whole page is already held, the rest is older and held too.
        if (mode === "incremental" && unchangedRun >= pageSize) break;
      }
      // Interrupted by shutdown: the cursor stays, and the next start resumes from it.
      if (abort.signal.aborted) return "skipped";
      await peers.update(peerId, { backfillState: "done", backfillCursor: null, backfillDone: done });
      logger.info("backfill finished", { peer: peerId, mode, items: done, pages: pagesRead });
      return "done";
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const reason = contactErrorMessage(failureOf(error), "outbox");
      await peers.update(peerId, { backfillState: "failed" });
      await peers.recordError(new URL(peerId).host, reason);
      logger.warn("backfill failed", {
        peer: peerId,
        reason,
        error: message,
        pages: pagesRead,
        entries: entriesRead,
        limit: error instanceof BackfillLimitError ? error.limit : null,
      });
      return error instanceof BackfillLimitError ? "limited" : "failed";
    }
  }

  return {
    start,

    async startCatchUp(ctx) {
      // Resumes interrupted imports, fetches what we missed while down.
      for (const peer of await peers.following()) {
        start(ctx, peer.actorId, peer.backfillState === "running" ? "full" : "incremental", "schedule");
      }
      catchUp = setInterval(() => {
        void peers.following().then((list) => list.forEach((p) => start(ctx, p.actorId, "incremental", "schedule")));
      }, catchUpIntervalMs);
      catchUp.unref();
    },

    async close() {
      if (catchUp) clearInterval(catchUp);
      abort.abort();
      await Promise.allSettled(running.values());
    },
  };
}
