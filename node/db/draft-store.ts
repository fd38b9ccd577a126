import type { Orm } from "./orm.ts";

// The `drafts` table (migration 007): officials' unpublished work. A draft is never signed,
// indexed or federated: it is a row here until it is published (through the library) or
// discarded.

/** One stored draft. */
export interface DraftRow {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  /** The published item these are pending edits of; null for a new item. */
  readonly itemId: string | null;
  /** The item's version the edits started from. */
  readonly baseVersion: number | null;
  /** The document as the form left it (JSON text; not validated). */
  readonly document: string;
  /** Username of the official who made it. */
  readonly owner: string;
  readonly ownerName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface RawDraft {
  id: string;
  type: string;
  title: string;
  item_id: string | null;
  base_version: number | null;
  document: string;
  owner: string;
  owner_name: string;
  created_at: string;
  updated_at: string;
}

function fromRaw(r: RawDraft): DraftRow {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    itemId: r.item_id,
    baseVersion: r.base_version === null ? null : Number(r.base_version),
    document: r.document,
    owner: r.owner,
    ownerName: r.owner_name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Reads and writes of drafts. */
export interface DraftStore {
  insert(row: DraftRow): Promise<void>;
  /** Replaces a draft's title and document; false when there is no such draft. */
  update(id: string, change: { title: string; document: string; updatedAt: string }): Promise<boolean>;
  get(id: string): Promise<DraftRow | null>;
  /** Drafts newest first: one official's, or every draft of the node when `owner` is undefined. */
  list(owner: string | undefined, limit: number): Promise<DraftRow[]>;
  /** Removes a draft; false when there was none. */
  remove(id: string): Promise<boolean>;
}

/** The draft store over the node's database. */
export function createDraftStore(orm: Orm): DraftStore {
  const knex = () => orm.em.getKnex();
  return {
    async insert(row) {
      await knex()("drafts").insert({
        id: row.id,
        type: row.type,
        title: row.title,
        item_id: row.itemId,
        base_version: row.baseVersion,
        document: row.document,
        owner: row.owner,
        owner_name: row.ownerName,
        created_at: row.createdAt,
        updated_at: row.updatedAt,
      });
    },
    async update(id, change) {
      const n = await knex()("drafts")
        .where("id", id)
        .update({ title: change.title, document: change.document, updated_at: change.updatedAt });
      return Number(n) > 0;
    },
    async get(id) {
      const row = (await knex()("drafts").where("id", id).first()) as RawDraft | undefined;
      return row ? fromRaw(row) : null;
    },
    async list(owner, limit) {
      const q = knex()("drafts").orderBy([
        { column: "updated_at", order: "desc" },
        { column: "id", order: "asc" },
      ]);
      if (owner !== undefined) q.where("owner", owner);
      return ((await q.limit(limit)) as RawDraft[]).map(fromRaw);
    },
    async remove(id) {
      return Number(await knex()("drafts").where("id", id).delete()) > 0;
    },
  };
}
