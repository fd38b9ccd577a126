import type { ItemRow, ItemVersionRow } from "./entities.ts";

// The raw column shapes of `items` and `item_versions` and their one mapping to and from
// the rows the node works with. Raw reads and bulk inserts bypass MikroORM's hydration
// (it costs ~4× on the publish and search hot paths). Column names here must match
// migrations/001-initial.ts and 003-peers.ts.

/** An `items` row as SQLite stores it: booleans as 0/1, snake_case names. */
export type ItemColumns = Omit<ItemRow, "local" | "deleted" | "verified" | "createdAt"> & {
  local: number;
  deleted: number;
  verified: number;
  created_at: string;
};

/** An `item_versions` row as SQLite stores it (without its `seq`). */
export type VersionColumns = Omit<ItemVersionRow, "seq" | "itemId" | "createdAt" | "provenance"> & {
  item_id: string;
  created_at: string;
  provenance: string;
};

/** Every column of `items` (alias `i`): the head of an item. */
export const ITEM_SELECT =
  "i.id, i.type, i.origin, i.local, i.version, i.title, i.city, i.language, i.published, i.updated, i.deleted, i.verified, i.created_at";

/** An item's columns, then one version's (alias `v`) renamed where they clash with the item's. */
export const JOINED_SELECT = `${ITEM_SELECT}, v.version as v_version, v.document, v.jws, v.html, v.author, v.changed,
  v.provenance, v.created_at as v_created_at`;

/** What a {@link JOINED_SELECT} read returns. */
export type JoinedColumns = ItemColumns &
  Omit<VersionColumns, "item_id" | "version" | "created_at"> & { v_version: number; v_created_at: string };

/** An item head joined with one of its versions, as one read returns it. */
export interface ItemWithVersion {
  readonly item: ItemRow;
  readonly version: ItemVersionRow;
}

/** The columns of an item head. */
export function itemColumns(r: ItemRow): ItemColumns {
  return {
    id: r.id,
    type: r.type,
    origin: r.origin,
    local: r.local ? 1 : 0,
    version: r.version,
    title: r.title,
    city: r.city,
    language: r.language,
    published: r.published,
    updated: r.updated,
    deleted: r.deleted ? 1 : 0,
    verified: r.verified ? 1 : 0,
    created_at: r.createdAt,
  };
}

/** The item head stored in `c`. */
export function itemFromColumns(c: ItemColumns): ItemRow {
  return {
    id: c.id,
    type: c.type,
    origin: c.origin,
    local: c.local === 1,
    version: c.version,
    title: c.title,
    city: c.city,
    language: c.language,
    published: c.published,
    updated: c.updated,
    deleted: c.deleted === 1,
    verified: c.verified === 1,
    createdAt: c.created_at,
  };
}

/** The columns of a version row. */
export function versionColumns(r: ItemVersionRow): VersionColumns {
  return {
    item_id: r.itemId,
    version: r.version,
    document: r.document,
    jws: r.jws,
    html: r.html,
    author: r.author,
    changed: r.changed,
    created_at: r.createdAt,
    provenance: r.provenance ?? "{}",
  };
}

/** The head and version stored in a {@link JOINED_SELECT} row. */
export function fromJoinedColumns(c: JoinedColumns): ItemWithVersion {
  return {
    item: itemFromColumns(c),
    version: {
      itemId: c.id,
      version: c.v_version,
      document: c.document,
      jws: c.jws,
      html: c.html,
      author: c.author,
      changed: c.changed,
      provenance: c.provenance,
      createdAt: c.v_created_at,
    },
  };
}

/** What a search snippet reads of an item's current document (see `ItemStore.snippetTexts`). */
export interface SnippetTextRow {
  /** The body's opening characters; null when the document has none. */
  readonly body: string | null;
  /** `translations` as JSON text; null when the document has none. */
  readonly translations: string | null;
}
