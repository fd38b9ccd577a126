import type { Orm } from "../db/orm.ts";
import type { WorkerRow } from "./worker-protocol.ts";

// Raw reads of what the index is built from, with knex: the ORM would hydrate entities
// for tens of thousands of rows. Column names must match db/migrations/001-initial.ts.

interface HeadRow {
  id: string;
  type: string;
  origin: string;
  local: number;
  verified: number;
  deleted: number;
  city: string;
  updated: string;
  published: string;
  document: string;
}

const HEAD_COLUMNS = `i.id, i.type, i.origin, i.local, i.verified, i.deleted, i.city, i.updated, i.published, v.document
   from items i join item_versions v on v.item_id = i.id and v.version = i.version`;

function knex(orm: Orm) {
  return orm.em.fork().getKnex();
}

function toRow(r: HeadRow): WorkerRow {
  return {
    id: r.id,
    type: r.type,
    origin: r.origin,
    local: r.local === 1,
    verified: r.verified === 1,
    city: r.city,
    updated: r.updated,
    published: r.published,
    document: r.document,
  };
}

/** Whether a stored item belongs in the index: live, and local or verified. */
function searchable(r: HeadRow): boolean {
  return r.deleted === 0 && r.verified === 1;
}

/** The highest `item_versions.seq`: every create, update and delete adds a row. */
export async function maxSeq(orm: Orm): Promise<number> {
  const rows = (await knex(orm).raw("select coalesce(max(seq), 0) as seq from item_versions")) as { seq: number }[];
  return Number(rows[0]?.seq ?? 0);
}

/** Every searchable item at its current version, `batch` at a time (keyset paging by id). */
export async function* searchableItems(orm: Orm, batch = 250): AsyncGenerator<WorkerRow[]> {
  let after = "";
  for (;;) {
    const rows = (await knex(orm).raw(`select ${HEAD_COLUMNS} where i.id > ? and i.deleted = 0 and i.verified = 1 order by i.id limit ?`, [after, batch])) as HeadRow[];
    if (rows.length === 0) return;
    yield rows.map(toRow);
    after = rows[rows.length - 1]!.id;
    if (rows.length < batch) return;
  }
}

/** Ids of items with a version written after `seq`. */
export async function changedSince(orm: Orm, seq: number): Promise<string[]> {
  const rows = (await knex(orm).raw("select distinct item_id as id from item_versions where seq > ?", [seq])) as { id: string }[];
  return rows.map((r) => r.id);
}

/** Ids of every searchable item. */
export async function liveIds(orm: Orm): Promise<Set<string>> {
  const rows = (await knex(orm).raw("select id from items where deleted = 0 and verified = 1")) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

/** Current state of the given items: a row to index, or null when it must leave the index. */
export async function currentItems(orm: Orm, ids: readonly string[]): Promise<Map<string, WorkerRow | null>> {
  const out = new Map<string, WorkerRow | null>(ids.map((id) => [id, null]));
  for (let i = 0; i < ids.length; i += 400) {
    const chunk = ids.slice(i, i + 400);
    const rows = (await knex(orm).raw(`select ${HEAD_COLUMNS} where i.id in (${chunk.map(() => "?").join(",")})`, chunk)) as HeadRow[];
    for (const r of rows) out.set(r.id, searchable(r) ? toRow(r) : null);
  }
  return out;
}

/** Current documents of the given items (for snippets). */
export async function currentDocuments(orm: Orm, ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  if (ids.length === 0) return out;
  const rows = (await knex(orm).raw(
    `select i.id, v.document from items i join item_versions v on v.item_id = i.id and v.version = i.version where i.id in (${ids.map(() => "?").join(",")})`,
    [...ids],
  )) as { id: string; document: string }[];
  for (const r of rows) out.set(r.id, JSON.parse(r.document) as Record<string, unknown>);
  return out;
}
