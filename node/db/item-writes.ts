import type { EntityManager } from "@mikro-orm/sqlite";
import type { Knex } from "@mikro-orm/knex";
import type { Orm } from "./orm.ts";
import { Item, type ItemRow, type ItemVersionRow } from "./entities.ts";
import { itemColumns, versionColumns } from "./item-rows.ts";
import { replaceLinks } from "./item-links.ts";
import { notify } from "./notifications.ts";
import { lockUntilCommit } from "./run-once.ts";

// The writes of `items` and `item_versions` (local publishing, ingest, purge, the render
// backlog): each one transaction, heads moved only by the writer that read them, rows
// inserted with bound parameters. The reads are in item-store.ts, which serves both.

/** The head fields a new version moves; the guard is the version the writer read. */
type HeadMove = Pick<ItemRow, "version" | "type" | "title" | "city" | "language" | "updated" | "deleted">;

/** One item of an ingest batch: its new head, and the head version it replaces (null: a new item). */
export interface IngestedHead {
  readonly item: ItemRow;
  readonly from: number | null;
}

/** A version stored without its rendered HTML (`html` ""), or that HTML once rendered. */
export interface VersionHtml {
  readonly itemId: string;
  readonly version: number;
  /** The document (JSON text) when read; the rendered fields (JSON text) when written. */
  readonly text: string;
}

/** The writes of the item store (see {@link ItemStore} in item-store.ts). */
export interface ItemWrites {
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

/** Inserts item head rows with bound parameters, inside the current transaction (bulk loads of the benchmarks too). */
export function insertItemRows(em: EntityManager, rows: readonly ItemRow[]): Promise<void> {
  return insertChunked(transaction(em), "items", rows.map(itemColumns));
}

/** The lock that makes the transactions writing versions commit in `seq` order. */
export const VERSION_ORDER_LOCK = "item_versions.seq";

/**
 * Inserts version rows with bound parameters, inside the current transaction; on PostgreSQL
 * other processes' search indexes are told when it commits (NOTIFY wego_versions).
 *
 * Everything that follows `item_versions.seq` from a watermark (the publisher, a peer paging
 * our outbox, the search index of another process) reads "the versions after n". On
 * PostgreSQL a sequence number is taken at the insert but seen at the commit, so two
 * concurrent writers could commit 8 before 7, and a reader between the two commits would
 * move its watermark past 7 for good. Writers therefore take their numbers under a lock
 * held until they commit: numbers become visible in their order. (SQLite has one writer.)
 */
export async function insertVersionRows(em: EntityManager, rows: readonly ItemVersionRow[]): Promise<void> {
  const trx = transaction(em);
  await lockUntilCommit(em, trx, VERSION_ORDER_LOCK);
  await insertChunked(trx, "item_versions", rows.map(versionColumns));
  await notify(em, trx, "wego_versions");
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

/** Each head's current document: the version row at the head's version. */
function currentDocuments(
  heads: readonly ItemRow[],
  versions: readonly ItemVersionRow[],
): { id: string; document: string }[] {
  const byKey = new Map(versions.map((v) => [`${v.version} ${v.itemId}`, v.document]));
  return heads.flatMap((h) => {
    const document = byKey.get(`${h.version} ${h.id}`);
    return document === undefined ? [] : [{ id: h.id, document }];
  });
}

/** The item writes over the node's database (`orm.em` is forked per call). */
export function createItemWrites(orm: Pick<Orm, "em">): ItemWrites {
  return {
    async insertNew(items, versions) {
      await orm.em.fork().transactional(async (em) => {
        await insertItemRows(em, items);
        await insertVersionRows(em, versions);
        await replaceLinks(transaction(em), currentDocuments(items, versions));
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
        await replaceLinks(transaction(em), [{ id: head.id, document: version.document }]);
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
        await replaceLinks(
          transaction(em),
          currentDocuments(
            heads.map((h) => h.item),
            versions,
          ),
        );
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
        // No version row is left to follow: other processes reconcile their index with the items.
        await notify(tem, transaction(tem), "wego_purged");
      });
      return gone;
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
