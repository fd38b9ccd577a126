import type { EntityManager } from "@mikro-orm/sqlite";
import type { Knex } from "@mikro-orm/knex";
import type { Orm } from "./orm.ts";
import { Item, ItemVersion, type ItemRow, type ItemVersionRow } from "./entities.ts";
import {
  fromJoinedColumns,
  itemColumns,
  itemFromColumns,
  ITEM_SELECT,
  JOINED_SELECT,
  versionColumns,
  type ItemColumns,
  type ItemWithVersion,
  type JoinedColumns,
} from "./item-rows.ts";

export type { ItemWithVersion } from "./item-rows.ts";

/** Keyset position in a newest-first listing: `updated`, then `id`. */
export interface PagePosition {
  readonly updated: string;
  readonly id: string;
}

/** Filters and paging of {@link ItemStore.list}. */
export interface ItemFilter {
  readonly type?: string;
  readonly city?: string;
  readonly origin?: string;
  readonly local?: boolean;
  readonly limit: number;
  readonly offset: number;
}

/** The head fields a new version moves; the guard is the version the writer read. */
export type HeadMove = Pick<ItemRow, "version" | "type" | "title" | "city" | "language" | "updated" | "deleted">;

/** One item of an ingest batch: its new head, and the head version it replaces (null: a new item). */
export interface IngestedHead {
  readonly item: ItemRow;
  readonly from: number | null;
}

/** An item head with its current document (canonical JSON text): what search indexes. */
export interface HeadWithDocument {
  readonly item: ItemRow;
  readonly document: string;
}

/** A version stored without its rendered HTML (`html` ""), or that HTML once rendered. */
export interface VersionHtml {
  readonly itemId: string;
  readonly version: number;
  /** The document (JSON text) when read; the rendered fields (JSON text) when written. */
  readonly text: string;
}

/** Every query on `items` and `item_versions`: the one owner of the items' rows. */
export interface ItemStore {
  /** Inserts new items with their first versions, in one transaction. */
  insertNew(items: readonly ItemRow[], versions: readonly ItemVersionRow[]): Promise<void>;
  /**
   * Moves a live item's head from `from` to `head` and adds its version, in one
   * transaction; false (nothing written) when another writer moved it first.
   */
  appendVersion(head: ItemRow, version: ItemVersionRow, from: number): Promise<boolean>;
  /** Writes an ingest batch in one transaction; throws if a head moved since it was read. */
  writeIngested(heads: readonly IngestedHead[], versions: readonly ItemVersionRow[]): Promise<void>;
  /** Deletes every peer item of `origin` (versions cascade); returns what was deleted. */
  purgeOrigin(origin: string): Promise<{ id: string; version: number }[]>;
  /** An item and one version (its current one by default), in one indexed query; the hot path of every read. */
  get(id: string, version?: number): Promise<ItemWithVersion | null>;
  /** Current heads (with their current version) of the given items, one query per 500 ids. */
  getMany(ids: readonly string[]): Promise<Map<string, ItemWithVersion>>;
  /** An item's head row alone. */
  head(id: string): Promise<ItemRow | null>;
  /** Live items newest first (`updated` desc, then `id`), with the total count. */
  list(filter: ItemFilter): Promise<{ total: number; rows: ItemRow[] }>;
  /** An item's head and every version, newest first; null if unknown. */
  versions(id: string): Promise<{ item: ItemRow; versions: ItemVersionRow[] } | null>;
  /** How many live items each peer origin has. */
  countByOrigin(): Promise<Record<string, number>>;
  /**
   * Local items newest first by `updated`, after `after` (exclusive), with their current
   * version: the outbox pages. Deleted items are included (their current version is the
   * signed Tombstone). Keyset paging, so concurrent writes never make a reader skip one.
   */
  localPage(after: PagePosition | null, limit: number): Promise<ItemWithVersion[]>;
  /** How many entries the outbox lists: every local item, deleted ones included. */
  countLocal(): Promise<number>;
  /** Local versions written after `seq`, oldest first: what the publisher has yet to send. */
  localVersionsAfter(seq: number, limit: number): Promise<(ItemWithVersion & { seq: number })[]>;
  /** The highest `item_versions.seq` (0 when empty): every create, update and delete adds a row. */
  maxSeq(): Promise<number>;
  /** Live, verified items at their current version, by id after `after`, `limit` at a time. */
  searchable(after: string, limit: number): Promise<HeadWithDocument[]>;
  /** Ids of items with a version written after `seq`. */
  changedSince(seq: number): Promise<string[]>;
  /** Ids of every live, verified item. */
  searchableIds(): Promise<Set<string>>;
  /** Current heads with their document, deleted and unverified ones included; one query per 400 ids. */
  heads(ids: readonly string[]): Promise<HeadWithDocument[]>;
  /** Current documents (JSON text) of the given items. */
  documents(ids: readonly string[]): Promise<Map<string, string>>;
  /** Versions without rendered HTML with `after < seq <= through`, oldest first, with their `seq`. */
  unrendered(after: number, through: number, limit: number): Promise<(VersionHtml & { seq: number })[]>;
  /** Stores the rendered HTML of versions still without it, in one transaction. */
  setRendered(rows: readonly VersionHtml[]): Promise<void>;
}

const CHUNK = 500;

function transaction(em: EntityManager): Knex.Transaction {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new TypeError("bulk inserts must run inside em.transactional()");
  return trx;
}

// MikroORM's insertMany inlines every value into the SQL text, which costs ~1.5 ms per
// 30 KB version row; knex binds parameters and is ~4× faster on the publish hot path.
async function insertChunked(trx: Knex.Transaction, table: string, rows: readonly object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await trx(table).insert(rows.slice(i, i + CHUNK));
}

/** Inserts item head rows with bound parameters, inside the current transaction. */
export function insertItemRows(em: EntityManager, rows: readonly ItemRow[]): Promise<void> {
  return insertChunked(transaction(em), "items", rows.map(itemColumns));
}

/** Inserts version rows with bound parameters, inside the current transaction. */
export function insertVersionRows(em: EntityManager, rows: readonly ItemVersionRow[]): Promise<void> {
  return insertChunked(transaction(em), "item_versions", rows.map(versionColumns));
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => "?").join(",");
}

function toHead(r: ItemColumns & { document: string }): HeadWithDocument {
  return { item: itemFromColumns(r), document: r.document };
}

function moveOf(r: ItemRow): HeadMove {
  return {
    version: r.version,
    type: r.type,
    title: r.title,
    city: r.city,
    language: r.language,
    updated: r.updated,
    deleted: r.deleted,
  };
}

/** The item store over the node's database (`orm.em` is forked per call). */
export function createItemStore(orm: Pick<Orm, "em">): ItemStore {
  const raw = async <T>(sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> =>
    (await orm.em.getKnex().raw(sql, bindings)) as T[];
  const current = `from items i join item_versions v on v.item_id = i.id and v.version = i.version`;
  const headSelect = `select ${ITEM_SELECT}, v.document ${current}`;

  return {
    async insertNew(items, versions) {
      await orm.em.fork().transactional(async (em) => {
        await insertItemRows(em, items);
        await insertVersionRows(em, versions);
      });
    },

    appendVersion(head, version, from) {
      return orm.em.fork().transactional(async (em) => {
        // Only the writer that still sees the version it read may move the head.
        const moved = await em.nativeUpdate(
          Item,
          { id: head.id, version: from, deleted: false },
          {
            version: head.version,
            title: head.title,
            city: head.city,
            language: head.language,
            updated: head.updated,
            deleted: head.deleted,
          },
        );
        if (moved !== 1) return false;
        await insertVersionRows(em, [version]);
        return true;
      });
    },

    async writeIngested(heads, versions) {
      await orm.em.fork().transactional(async (em) => {
        const fresh: ItemRow[] = [];
        for (const { item, from } of heads) {
          if (from === null) {
            fresh.push(item);
            continue;
          }
          const moved = await em.nativeUpdate(Item, { id: item.id, version: from }, moveOf(item));
          if (moved !== 1) throw new Error(`item ${item.id} moved during an ingest batch`);
        }
        await insertItemRows(em, fresh);
        await insertVersionRows(em, versions);
      });
    },

    async purgeOrigin(origin) {
      const em = orm.em.fork();
      const gone = (await em.find(Item, { origin, local: false }, { fields: ["id", "version"] })).map((r) => ({
        id: r.id,
        version: r.version,
      }));
      if (gone.length === 0) return gone;
      await em.transactional(async (tem) => {
        // item_versions rows go with their item (foreign key on delete cascade).
        await tem.nativeDelete(Item, { origin, local: false });
      });
      return gone;
    },

    async get(id, version) {
      const [r] = await raw<JoinedColumns>(
        `select ${JOINED_SELECT}
           from items i join item_versions v on v.item_id = i.id and v.version = coalesce(?, i.version)
          where i.id = ?`,
        [version ?? null, id],
      );
      return r ? fromJoinedColumns(r) : null;
    },

    async getMany(ids) {
      const out = new Map<string, ItemWithVersion>();
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        const rows = await raw<JoinedColumns>(
          `select ${JOINED_SELECT} ${current} where i.id in (${placeholders(chunk)})`,
          chunk,
        );
        for (const r of rows) out.set(r.id, fromJoinedColumns(r));
      }
      return out;
    },

    head(id) {
      return orm.em.fork().findOne(Item, { id });
    },

    async list({ limit, offset, ...filters }) {
      const where: Record<string, unknown> = { deleted: false };
      for (const [key, value] of Object.entries(filters)) if (value !== undefined) where[key] = value;
      const [rows, total] = await orm.em
        .fork()
        .findAndCount(Item, where, { orderBy: { updated: "desc", id: "asc" }, limit, offset });
      return { total, rows };
    },

    async versions(id) {
      const em = orm.em.fork();
      const item = await em.findOne(Item, { id });
      if (!item) return null;
      return { item, versions: await em.find(ItemVersion, { itemId: id }, { orderBy: { version: "desc" } }) };
    },

    async countByOrigin() {
      const rows = await raw<{ origin: string; n: number }>(
        "select origin, count(*) as n from items where deleted = 0 and local = 0 group by origin",
      );
      return Object.fromEntries(rows.map((r) => [r.origin, Number(r.n)]));
    },

    async localPage(after, limit) {
      // One ordered range scan of items_updated_idx (deleted, updated desc) per value of
      // `deleted`, merged: a single scan without the `deleted` prefix would sort the whole table.
      const keyset = after ? "and (updated < ? or (updated = ? and id < ?))" : "";
      const keysetArgs = after ? [after.updated, after.updated, after.id] : [];
      const part = (deleted: 0 | 1) =>
        `select id from (select id from items where local = 1 and deleted = ${deleted} ${keyset} order by updated desc, id desc limit ?)`;
      const rows = await raw<JoinedColumns>(
        `select ${JOINED_SELECT} ${current}
          where i.id in (${part(0)} union all ${part(1)})
          order by i.updated desc, i.id desc
          limit ?`,
        [...keysetArgs, limit, ...keysetArgs, limit, limit],
      );
      return rows.map(fromJoinedColumns);
    },

    async countLocal() {
      const [row] = await raw<{ n: number }>("select count(*) as n from items where local = 1");
      return Number(row?.n ?? 0);
    },

    async localVersionsAfter(seq, limit) {
      const rows = await raw<JoinedColumns & { seq: number }>(
        `select v.seq, ${JOINED_SELECT}
           from item_versions v join items i on i.id = v.item_id
          where v.seq > ? and i.local = 1
          order by v.seq asc
          limit ?`,
        [seq, limit],
      );
      return rows.map((r) => ({ ...fromJoinedColumns(r), seq: r.seq }));
    },

    async maxSeq() {
      const [row] = await raw<{ seq: number }>("select coalesce(max(seq), 0) as seq from item_versions");
      return Number(row?.seq ?? 0);
    },

    async searchable(after, limit) {
      const rows = await raw<ItemColumns & { document: string }>(
        `${headSelect} where i.id > ? and i.deleted = 0 and i.verified = 1 order by i.id limit ?`,
        [after, limit],
      );
      return rows.map(toHead);
    },

    async changedSince(seq) {
      const rows = await raw<{ id: string }>("select distinct item_id as id from item_versions where seq > ?", [seq]);
      return rows.map((r) => r.id);
    },

    async searchableIds() {
      const rows = await raw<{ id: string }>("select id from items where deleted = 0 and verified = 1");
      return new Set(rows.map((r) => r.id));
    },

    async heads(ids) {
      const out: HeadWithDocument[] = [];
      for (let i = 0; i < ids.length; i += 400) {
        const chunk = ids.slice(i, i + 400);
        const rows = await raw<ItemColumns & { document: string }>(
          `${headSelect} where i.id in (${placeholders(chunk)})`,
          chunk,
        );
        for (const r of rows) out.push(toHead(r));
      }
      return out;
    },

    async documents(ids) {
      const out = new Map<string, string>();
      if (ids.length === 0) return out;
      const rows = await raw<{ id: string; document: string }>(
        `select i.id, v.document ${current} where i.id in (${placeholders(ids)})`,
        ids,
      );
      for (const r of rows) out.set(r.id, r.document);
      return out;
    },

    unrendered(after, through, limit) {
      return raw<VersionHtml & { seq: number }>(
        "select seq, item_id as itemId, version, document as text from item_versions where seq > ? and seq <= ? and html = '' order by seq limit ?",
        [after, through, limit],
      );
    },

    async setRendered(rows) {
      if (rows.length === 0) return;
      await orm.em.fork().transactional(async (em) => {
        const trx = transaction(em);
        for (const r of rows)
          await trx("item_versions")
            .where({ item_id: r.itemId, version: r.version, html: "" })
            .update({ html: r.text });
      });
    },
  };
}
