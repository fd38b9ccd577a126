import type { QueryErrorReason } from "./query.ts";
import type { SearchQuery, SearchResponse } from "./searcher.ts";
import type { SegmentData } from "./segment.ts";
import type { SnippetText } from "./snippet.ts";

/** What a query thread is started with (its `workerData`). */
export interface QueryWorkerData {
  /** The module worker-boot.mjs loads. */
  readonly module: string;
  readonly queryLimits?: Record<string, number>;
  readonly querySliceMs?: number;
}

/** A segment as a query thread first receives it: its data (postings in shared memory) and its shared `current` bytes. */
export interface SharedSegment {
  readonly id: number;
  readonly data: SegmentData;
  readonly current: Uint8Array;
}

/** Messages to a query thread, answered in the order sent. */
export type QueryRequest =
  /**
   * The segments the index searches now, by id, with the data of those the thread has not
   * seen; `base` changes when a compaction swaps in a new base (the facet values are then
   * started afresh, as on the main thread).
   */
  | {
      readonly kind: "segments";
      readonly list: readonly number[];
      readonly add: readonly SharedSegment[];
      readonly base: number;
    }
  | { readonly kind: "search"; readonly job: number; readonly query: SearchQuery }
  /** The answer to a thread's `texts` request; `error` when the database could not be read. */
  | {
      readonly kind: "texts";
      readonly req: number;
      readonly texts?: Map<string, SnippetText>;
      readonly error?: string;
    };

/** A query error as it crosses threads (QueryError's fields). */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly start?: number;
  readonly end?: number;
  readonly reason?: QueryErrorReason;
  readonly term?: string;
  readonly limit?: number;
}

/** Messages from a query thread. */
export type QueryReply =
  | { readonly kind: "ready" }
  /** `facetValues`: the thread's interned facet values (SearchStats.facetValues). */
  | { readonly kind: "result"; readonly job: number; readonly response: SearchResponse; readonly facetValues: number }
  | { readonly kind: "failed"; readonly job: number; readonly error: WireError }
  /** Snippet texts of a page of results, which only the main thread's database can read. */
  | { readonly kind: "texts"; readonly req: number; readonly ids: readonly string[]; readonly maxBody: number };
