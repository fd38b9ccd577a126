import { availableParallelism } from "node:os";
import { notificationsOf } from "../db/notifications.ts";
import type { Orm } from "../db/orm.ts";
import { isPostgres } from "../db/sql.ts";
import { versionsAfter } from "../db/version-feed.ts";
import type { Library } from "../library/library.ts";
import { Facets } from "./facets.ts";
import { LiveIndex, type IndexStats, type LiveIndexOptions } from "./live-index.ts";
import { QueryPool, type QueryPoolOptions } from "./query-pool.ts";
import { Searcher, type SearcherOptions, type SearchQuery, type SearchResponse } from "./searcher.ts";
import { changedSince, currentItems, liveIds, maxSeq, searchableItems, snippetTexts } from "./source.ts";
import { VersionFollower } from "./version-follower.ts";

// The search room's front door: http and main import from here only.
export { DEFAULT_QUERY_LIMITS, QueryError, type QueryErrorReason, type QueryLimits } from "./query.ts";
export type { SearchFacets } from "./facets.ts";
export { isSortOrder, SORT_ORDERS, type SortOrder } from "./order.ts";
export { MAX_EXPORT, MAX_LIMIT, type SearchQuery, type SearchResponse, type SearchResult } from "./searcher.ts";
export { SearchBusyError } from "./query-pool.ts";
export type { Passage, PassagePart } from "./snippet.ts";

/** Options of {@link createSearchService}: the database and library, and how the index and queries are tuned. */
export interface SearchServiceOptions
  extends Omit<LiveIndexOptions, "source" | "onNewBase">,
    Pick<SearcherOptions, "queryLimits" | "querySliceMs"> {
  readonly orm: Orm;
  readonly library: Library;
  /** How long a search waits for the index at start-up before it is refused (default 2 s). */
  readonly readyWaitMs?: number;
  /**
   * On PostgreSQL, how often the index reads versions written by other processes when no
   * notification came, in ms (default 1 000).
   */
  readonly followPollMs?: number;
  /**
   * Worker threads that answer searches, started on the first search (default: one fewer
   * than the machine's cores, at most 4; 0 runs every search on the main thread).
   */
  readonly queryThreads?: number;
  /** Searches waiting or running in the query threads at most, beyond which they are refused (default 32). */
  readonly maxQueuedQueries?: QueryPoolOptions["maxQueued"];
  /** The query threads stop after this long without a search (default 30 s), and start again with the next. */
  readonly queryIdleMs?: QueryPoolOptions["idleMs"];
}

/** Counters of the index, for tests and the benchmark. */
export interface SearchStats extends IndexStats {
  /** Distinct facet values interned (types, cities, tags, languages, years): bounded by the live index. */
  readonly facetValues: number;
  /** Query threads ready to answer searches. */
  readonly queryThreads: number;
  /** How many times the query threads were started (they stop when idle). */
  readonly queryThreadStarts: number;
}

/**
 * Thrown by a search while the index is still being built at start-up (and has not finished
 * within a short wait): an index that holds part of the library would answer wrongly.
 */
export class IndexNotReadyError extends Error {
  override name = "IndexNotReadyError";
}

/** Federated search over local and verified peer items. */
export interface SearchService {
  /**
   * Runs a query; throws {@link QueryError} when it goes beyond a query limit,
   * {@link IndexNotReadyError} while the index is still being built, and
   * {@link SearchBusyError} when the query threads have as many searches waiting as they may.
   */
  search(query: SearchQuery): Promise<SearchResponse>;
  /** Whether start-up indexing has finished (what `/readyz` reports). */
  ready(): boolean;
  /** Resolves once every change announced so far (and, on PostgreSQL, every version visible now) is searchable. */
  settled(): Promise<void>;
  /** Rebuilds the base from the database now (normally automatic) and waits for it. */
  compact(): Promise<void>;
  stats(): SearchStats;
  /** Stops listening and the workers; nothing is written. */
  close(): Promise<void>;
}

/**
 * Creates the search service: loads the persisted base segment (or builds one from the
 * database in a worker), catches up with changes written since, and from then on indexes
 * every change the library announces. On PostgreSQL it also follows the versions other
 * processes write to the same database. Builds never run on the event loop.
 */
export async function createSearchService(options: SearchServiceOptions): Promise<SearchService> {
  const { orm, library } = options;
  const facets = new Facets();
  let bases = 0;
  const index = new LiveIndex({
    ...options,
    source: {
      maxSeq: () => maxSeq(orm),
      searchableItems: () => searchableItems(orm),
      changedSince: (seq) => changedSince(orm, seq),
      liveIds: () => liveIds(orm),
      currentItems: (ids) => currentItems(orm, ids),
    },
    onNewBase: () => {
      facets.reset();
      bases++;
    },
  });
  const snippets = { texts: (ids: readonly string[], maxBody: number) => snippetTexts(orm, ids, maxBody) };
  const searcher = new Searcher({ ...options, index, facets, snippets });
  const pool = new QueryPool({
    ...options,
    index,
    baseVersion: () => bases,
    threads: options.queryThreads ?? Math.min(4, availableParallelism() - 1),
    maxQueued: options.maxQueuedQueries,
    idleMs: options.queryIdleMs,
    snippets,
    onMainThread: (query) => searcher.search(query),
  });
  // Several processes may write the database: follow its version sequence too.
  const follower = isPostgres(orm.em.getPlatform())
    ? new VersionFollower({
        read: (after, recheck, limit) => versionsAfter(orm, after, recheck, limit),
        maxSeq: () => maxSeq(orm),
        refresh: (ids) => index.refresh(ids),
        reconcile: () => index.reconcile(),
        subscribe: (wake) => notificationsOf(orm).subscribe("wego_versions", wake),
        subscribePurges: (purged) => notificationsOf(orm).subscribe("wego_purged", purged),
        pollMs: options.followPollMs,
        logger: options.logger,
      })
    : undefined;
  const unsubscribe = library.subscribe((changes) => {
    index.apply(changes);
    for (const c of changes)
      if (c.kind === "stored") follower?.noteOwn(c.item.id, c.item.version);
      else follower?.noteOwn(c.id, c.version);
  });
  await follower?.start();
  index.start();
  let closed = false;
  return {
    async search(query) {
      if (!index.ready && !(await index.untilReady(options.readyWaitMs ?? 2_000)))
        throw new IndexNotReadyError("the search index is still being built");
      // Adoptions are other items: their counts per case are read per query, only when asked for.
      const adoptions = query.adopted || query.sort === "adopted" ? await library.adoptionCounts() : undefined;
      return pool.search(adoptions ? { ...query, adoptions } : query);
    },
    ready: () => index.ready,
    async settled() {
      await follower?.settled();
      await index.settled();
    },
    compact: () => index.compact(),
    stats: () => ({
      ...index.stats(),
      facetValues: Math.max(facets.size(), pool.facetValues),
      queryThreads: pool.readyThreads,
      queryThreadStarts: pool.starts,
    }),
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      await follower?.close();
      await Promise.all([pool.close(), index.close()]);
    },
  };
}
