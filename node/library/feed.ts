import type { Orm } from "../db/orm.ts";
import { createItemStore, type PagePosition } from "../db/item-store.ts";
import type { StoredItem } from "./model.ts";
import { toStored } from "./stored.ts";

/** The node's own items as federation publishes them: outbox pages and the send log. */
export interface LocalFeed {
  /**
   * Local items newest first after `after` (exclusive), deleted ones included as their
   * Tombstone version: the outbox pages. Keyset paging by `updated`, then `id`.
   */
  page(after: PagePosition | null, limit: number): Promise<StoredItem[]>;
  /** How many entries the outbox lists: every local item, deleted ones included. */
  count(): Promise<number>;
  /**
   * Local versions written after `seq` (the version log), oldest first: what the publisher
   * has yet to send. Each carries the head's `updated`, and is deleted only as the head's Tombstone.
   */
  versionsAfter(seq: number, limit: number): Promise<{ seq: number; item: StoredItem }[]>;
  /** The position of the newest version in the log (0 when empty). */
  lastSeq(): Promise<number>;
}

/** The local feed over the node's item store. */
export function createLocalFeed(orm: Pick<Orm, "em">): LocalFeed {
  const store = createItemStore(orm);
  return {
    async page(after, limit) {
      return (await store.localPage(after, limit)).map((r) => toStored(r.item, r.version));
    },
    count() {
      return store.countLocal();
    },
    async versionsAfter(seq, limit) {
      const rows = await store.localVersionsAfter(seq, limit);
      return rows.map((r) => ({
        seq: r.seq,
        item: toStored(
          { ...r.item, version: r.version.version, deleted: r.item.deleted && r.version.version === r.item.version },
          r.version,
        ),
      }));
    },
    lastSeq() {
      return store.maxSeq();
    },
  };
}
