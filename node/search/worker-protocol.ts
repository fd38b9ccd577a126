import type { ItemHead } from "./documents.ts";
import type { SegmentData } from "./segment.ts";

/** An item as the worker takes it: the document parsed, or still the stored JSON text. */
export type WorkerRow = Omit<ItemHead, "document"> & { readonly document: ItemHead["document"] | string };

/**
 * The row the worker indexes for an item: its head fields (from a `StoredItem` or a database
 * row) and its document. Only these fields cross to the worker thread, not the whole item.
 */
export function workerRowOf(item: Omit<ItemHead, "document">, document: WorkerRow["document"]): WorkerRow {
  const { id, type, origin, local, verified, city, updated, published } = item;
  return { id, type, origin, local, verified, city, updated, published, document };
}

/** Messages to the index worker: a build is `begin`, any number of `add`, then `end`. */
export type WorkerRequest =
  /** `chunkDocs` > 0 cuts the build into pieces of that many documents (bounded memory). */
  | { readonly kind: "begin"; readonly job: number; readonly chunkDocs?: number }
  | { readonly kind: "add"; readonly job: number; readonly rows: readonly WorkerRow[] }
  | {
      readonly kind: "end";
      readonly job: number;
      readonly file?: string;
      readonly extra?: Record<string, unknown>;
      readonly useCorpus?: boolean;
    }
  /** Statistics of the base segment, which later `useCorpus` builds score against. */
  | {
      readonly kind: "corpus";
      readonly job: 0;
      readonly terms: readonly string[];
      readonly dfs: Uint32Array;
      readonly docCount: number;
      readonly avgLengths: readonly number[];
    };

/** Messages from the index worker. */
export type WorkerReply =
  /** One `add` message of the job has been indexed (the sender keeps a few in flight, no more). */
  | { readonly kind: "added"; readonly job: number }
  | { readonly kind: "built"; readonly job: number; readonly parts: readonly SegmentData[] }
  | { readonly kind: "failed"; readonly job: number; readonly message: string };
