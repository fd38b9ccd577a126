import type { Orm } from "../db/orm.ts";
import { createItemStore, type HeadWithDocument } from "../db/item-store.ts";
import type { SnippetText } from "./snippet.ts";
import { type WorkerRow, workerRowOf } from "./worker-protocol.ts";

// What the index is built from, read through the item store (raw, batched reads: the ORM
// would hydrate entities for tens of thousands of rows).

/** The row the worker indexes for a head read from the store. */
function toRow({ item, document }: HeadWithDocument): WorkerRow {
  return workerRowOf(item, document);
}

/** Whether a stored item belongs in the index: live and verified (the node's own items are always verified). */
function searchable({ item }: HeadWithDocument): boolean {
  return !item.deleted && item.verified;
}

/** The highest `item_versions.seq`: every create, update and delete adds a row. */
export function maxSeq(orm: Orm): Promise<number> {
  return createItemStore(orm).maxSeq();
}

/** Every searchable item at its current version, `batch` at a time (keyset paging by id). */
export async function* searchableItems(orm: Orm, batch = 250): AsyncGenerator<WorkerRow[]> {
  const store = createItemStore(orm);
  let after = "";
  for (;;) {
    const heads = await store.searchable(after, batch);
    if (heads.length === 0) return;
    yield heads.map(toRow);
    after = heads[heads.length - 1]!.item.id;
    if (heads.length < batch) return;
  }
}

/** Ids of items with a version written after `seq`. */
export function changedSince(orm: Orm, seq: number): Promise<string[]> {
  return createItemStore(orm).changedSince(seq);
}

/** Ids of every searchable item. */
export function liveIds(orm: Orm): Promise<Set<string>> {
  return createItemStore(orm).searchableIds();
}

/** Current state of the given items: a row to index, or null when it must leave the index. */
export async function currentItems(orm: Orm, ids: readonly string[]): Promise<Map<string, WorkerRow | null>> {
  const out = new Map<string, WorkerRow | null>(ids.map((id) => [id, null]));
  for (const head of await createItemStore(orm).heads(ids))
    out.set(head.item.id, searchable(head) ? toRow(head) : null);
  return out;
}

/** What snippets read of the given items' current documents (see snippet.ts). */
export async function snippetTexts(
  orm: Orm,
  ids: readonly string[],
  maxBody: number,
): Promise<Map<string, SnippetText>> {
  const out = new Map<string, SnippetText>();
  for (const [id, row] of await createItemStore(orm).snippetTexts(ids, maxBody)) {
    const tr = row.translations ? (JSON.parse(row.translations) as unknown) : null;
    const translations =
      tr && typeof tr === "object" ? Object.values(tr as Record<string, { title?: unknown; summary?: unknown }>) : [];
    out.set(id, {
      body: row.body ?? "",
      translations: translations.map((t) => ({
        title: typeof t?.title === "string" ? t.title : "",
        summary: typeof t?.summary === "string" ? t.summary : "",
      })),
    });
  }
  return out;
}
