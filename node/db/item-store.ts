import type { Knex } from "@mikro-orm/knex";
import type { Orm } from "./orm.ts";
import { jsonTextAt, rawRows } from "./sql.ts";
import { Item, ItemVersion, type ItemRow, type ItemVersionRow } from "./entities.ts";
import {
  fromJoinedColumns,
  itemFromColumns,
  ITEM_SELECT,
  JOINED_SELECT,
  type ItemColumns,
  type ItemWithVersion,
  type JoinedColumns,
  type SnippetTextRow,
} from "./item-rows.ts";
import { createItemWrites, type ItemWrites, type VersionHtml } from "./item-writes.ts";

// The one owner of the items' rows: the reads are here, the writes in item-writes.ts;
// callers see one store.

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
  /** Only items whose signature checked (true) or not (false). */
  readonly verified?: boolean;
  /** Only verified items whose current version names `target` as `rel` (item_links): the adoptions of a case. */
  readonly linksTo?: { readonly target: string; readonly rel: string };
  readonly limit: number;
  readonly offset: number;
}

/** An item head with its current document (canonical JSON text): what search indexes. */
export interface HeadWithDocument {
  readonly item: ItemRow;
  readonly document: string;
}

/** A live item that links to another, as its page lists it. */
export interface LinkingItem {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly origin: string;
  readonly local: boolean;
  readonly language: string;
  /** How it names the item: `case`, `pathway`, `dataset`, `related`… (item-links.ts). */
  readonly rels: readonly string[];
}

/** The live items of one type that link to an item: the first few, and how many in all. */
export interface LinkingGroup {
  readonly type: string;
  readonly total: number;
  readonly items: readonly LinkingItem[];
}

/** Every query on `items` and `item_versions`: the one owner of the items' rows. */
export interface ItemStore extends ItemWrites {
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
  /** How many live verified adoptions name each case (`case` links), by case id; cases without one left out. */
  adoptionCounts(): Promise<Map<string, number>>;
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
  /**
   * Live, verified items' signed current versions (document text and JWS), by id after
   * `after`, `limit` at a time; only the node's own with `localOnly`. What a bundle exports.
   */
  signedPage(
    after: string,
    limit: number,
    localOnly: boolean,
  ): Promise<{ readonly id: string; readonly document: string; readonly jws: string }[]>;
  /** Ids of items with a version written after `seq`. */
  changedSince(seq: number): Promise<string[]>;
  /** Ids of every live, verified item. */
  searchableIds(): Promise<Set<string>>;
  /** Current heads with their document, deleted and unverified ones included; one query per 400 ids. */
  heads(ids: readonly string[]): Promise<HeadWithDocument[]>;
  /**
   * What a search snippet reads of the given items' current documents, taken out by SQLite
   * (no whole document crosses into JavaScript): the body's first `maxBody` characters and
   * the translations as JSON text.
   */
  snippetTexts(ids: readonly string[], maxBody: number): Promise<Map<string, SnippetTextRow>>;
  /**
   * The live, verified items that link to `target` (item_links), grouped by type: per type the
   * `perType` newest (this node's own first) and the count. One indexed read, bounded by the
   * links to `target`.
   */
  linkingTo(target: string, perType: number): Promise<LinkingGroup[]>;
  /** Versions without rendered HTML with `after < seq <= through`, oldest first, with their `seq`. */
  unrendered(after: number, through: number, limit: number): Promise<(VersionHtml & { seq: number })[]>;
}

const CHUNK = 500;

function placeholders(values: readonly unknown[]): string {
  return values.map(() => "?").join(",");
}

function toHead(r: ItemColumns & { document: string }): HeadWithDocument {
  return { item: itemFromColumns(r), document: r.document };
}

/** The item store over the node's database (`orm.em` is forked per call). */
export function createItemStore(orm: Pick<Orm, "em">): ItemStore {
  const raw = async <T>(sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> =>
    rawRows<T>(orm.em.getKnex(), sql, bindings);
  const current = `from items i join item_versions v on v.item_id = i.id and v.version = i.version`;
  const json = (field: string) => jsonTextAt(orm.em.getPlatform(), "v.document", [field]);
  const headSelect = `select ${ITEM_SELECT}, v.document ${current}`;

  // The items naming one target, from its few links (item_links_target_idx) to each item by key.
  const listLinking = async (
    linksTo: NonNullable<ItemFilter["linksTo"]>,
    filters: Omit<ItemFilter, "limit" | "offset" | "linksTo">,
    limit: number,
    offset: number,
  ) => {
    const columns = {
      type: "i.type",
      city: "i.city",
      origin: "i.origin",
      local: "i.local",
      verified: "i.verified",
    } as const;
    let where = "i.id = l.source_id and l.target_id = ? and l.rel = ? and i.deleted = 0 and i.verified = 1";
    const args: Knex.RawBinding[] = [linksTo.target, linksTo.rel];
    for (const [key, column] of Object.entries(columns)) {
      const value = filters[key as keyof typeof columns];
      if (value === undefined) continue;
      where += ` and ${column} = ?`;
      args.push(typeof value === "boolean" ? (value ? 1 : 0) : value);
    }
    // CROSS JOIN keeps the few links first for SQLite's planner; its condition is in `where`.
    const from = "from item_links l cross join items i";
    const [count] = await raw<{ n: number }>(`select count(*) as n ${from} where ${where}`, args);
    const rows = await raw<ItemColumns>(
      `select ${ITEM_SELECT} ${from} where ${where} order by i.updated desc, i.id asc limit ? offset ?`,
      [...args, limit, offset],
    );
    return { total: Number(count?.n ?? 0), rows: rows.map(itemFromColumns) };
  };

  return {
    ...createItemWrites(orm),

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

    async list({ limit, offset, linksTo, ...filters }) {
      if (linksTo) return listLinking(linksTo, filters, limit, offset);
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

    async adoptionCounts() {
      const rows = await raw<{ id: string; n: number }>(
        `select l.target_id as id, count(*) as n from item_links l join items i on i.id = l.source_id
          where l.rel = 'case' and i.type = 'Adoption' and i.deleted = 0 and i.verified = 1
          group by l.target_id`,
      );
      return new Map(rows.map((r) => [r.id, Number(r.n)]));
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
        `select id from (select id from items where local = 1 and deleted = ${deleted} ${keyset} order by updated desc, id desc limit ?) as page`;
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

    signedPage(after, limit, localOnly) {
      return raw<{ id: string; document: string; jws: string }>(
        `select i.id, v.document, v.jws ${current}
          where i.id > ? and i.deleted = 0 and i.verified = 1 ${localOnly ? "and i.local = 1" : ""}
          order by i.id limit ?`,
        [after, limit],
      );
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

    async snippetTexts(ids, maxBody) {
      const out = new Map<string, SnippetTextRow>();
      if (ids.length === 0) return out;
      const rows = await raw<{ id: string; body: unknown; translations: string | null }>(
        `select i.id, substr(${json("body")}, 1, ?) as body, ${json("translations")} as translations
         ${current} where i.id in (${placeholders(ids)})`,
        [maxBody, ...ids],
      );
      for (const r of rows)
        out.set(r.id, { body: typeof r.body === "string" ? r.body : null, translations: r.translations });
      return out;
    },

    async linkingTo(target, perType) {
      const rows = await raw<ItemColumns & { rels: string; total: number }>(
        `select * from (
           select ${ITEM_SELECT}, l.rels,
                  row_number() over (partition by i.type order by i.local desc, i.updated desc, i.id) as n,
                  count(*) over (partition by i.type) as total
             from (select source_id, string_agg(rel, ' ') as rels from item_links
                    where target_id = ? group by source_id) l
             -- CROSS JOIN keeps this order: the few links first, then each item by its key
             -- (a plain join let SQLite scan every live item and probe the links). Its
             -- condition is in WHERE: PostgreSQL takes no ON after CROSS JOIN.
             cross join items i
            where i.id = l.source_id and i.deleted = 0 and i.verified = 1 and i.id <> ?
         ) ranked where n <= ? order by type, n`,
        [target, target, perType],
      );
      const groups = new Map<string, { type: string; total: number; items: LinkingItem[] }>();
      for (const r of rows) {
        const group = groups.get(r.type) ?? { type: r.type, total: Number(r.total), items: [] };
        groups.set(r.type, group);
        group.items.push({
          id: r.id,
          type: r.type,
          title: r.title,
          origin: r.origin,
          local: r.local === 1,
          language: r.language,
          rels: r.rels.split(" ").sort(),
        });
      }
      return [...groups.values()];
    },

    unrendered(after, through, limit) {
      return raw<VersionHtml & { seq: number }>(
        // Quoted: PostgreSQL folds an unquoted alias to lower case.
        `select seq, item_id as "itemId", version, document as text from item_versions where seq > ? and seq <= ? and html = '' order by seq limit ?`,
        [after, through, limit],
      );
    },
  };
}
