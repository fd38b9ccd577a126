import type { Knex } from "@mikro-orm/knex";

// The links between items, kept in `item_links` (migrations/006-item-links.ts) so that an
// item's page can list what points at it ("Pathways for this case", "Referenced by") with
// one indexed read, never a scan of every document. Every write of a head version replaces
// its item's rows in the same transaction (item-writes.ts); a Tombstone has none; a purged
// peer's rows go with its items (foreign key on delete cascade).

/** One reference from a document to another item's id. */
export interface ItemReference {
  readonly target: string;
  /** Why the document names it: `case` (a pathway's or an adoption's case, a dataset's related cases), `pathway`, `adaptedFrom` (the case a case adapts), or a link's `rel`. */
  readonly rel: string;
}

/** An `item_links` row. */
export interface LinkColumns {
  readonly source_id: string;
  readonly target_id: string;
  readonly rel: string;
}

/** The most references kept from one document: a bound on the rows a single version writes. */
export const MAX_REFERENCES = 200;

const MAX_URL = 2048;

function isItemUrl(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_URL && /^https?:\/\/\S+$/.test(value);
}

/**
 * The other items a document names: `case`, `pathway`, `adaptedFrom`, `relatedCases` and `links[].href`
 * (what the schemas define as item references), distinct, at most {@link MAX_REFERENCES}.
 * A Tombstone names nothing.
 */
export function referencesOf(document: Record<string, unknown>): ItemReference[] {
  if (document.type === "Tombstone") return [];
  const out = new Map<string, ItemReference>();
  const add = (target: unknown, rel: string) => {
    if (!isItemUrl(target) || target === document.id || out.size >= MAX_REFERENCES) return;
    out.set(`${rel} ${target}`, { target, rel });
  };
  add(document.case, "case");
  add(document.pathway, "pathway");
  add(document.adaptedFrom, "adaptedFrom");
  for (const id of Array.isArray(document.relatedCases) ? document.relatedCases : []) add(id, "case");
  for (const link of Array.isArray(document.links) ? document.links : []) {
    if (typeof link === "object" && link !== null) {
      const { href, rel } = link as { href?: unknown; rel?: unknown };
      add(href, typeof rel === "string" && /^[a-z]{1,20}$/.test(rel) ? rel : "related");
    }
  }
  return [...out.values()];
}

/** The rows of an item's current document (JSON text); none for one that does not parse. */
export function linkRows(sourceId: string, documentText: string): LinkColumns[] {
  let document: unknown;
  try {
    document = JSON.parse(documentText);
  } catch {
    return [];
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) return [];
  return referencesOf(document as Record<string, unknown>).map((r) => ({
    source_id: sourceId,
    target_id: r.target,
    rel: r.rel,
  }));
}

// 3 bound values a row: well under SQLite's 999-parameter floor.
const CHUNK = 300;

/**
 * Replaces the links of the given items by those of their current documents, inside the
 * caller's transaction: a new version that drops a link drops its row.
 */
export async function replaceLinks(
  trx: Knex.Transaction,
  heads: readonly { readonly id: string; readonly document: string }[],
): Promise<void> {
  if (heads.length === 0) return;
  const ids = heads.map((h) => h.id);
  for (let i = 0; i < ids.length; i += 500)
    await trx("item_links")
      .whereIn("source_id", ids.slice(i, i + 500))
      .del();
  const rows = heads.flatMap((h) => linkRows(h.id, h.document));
  for (let i = 0; i < rows.length; i += CHUNK) await trx("item_links").insert(rows.slice(i, i + CHUNK));
}
