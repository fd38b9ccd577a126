import { createHash } from "node:crypto";
import type { Knex } from "@mikro-orm/knex";
import { DOCUMENT_KEY_PURPOSE } from "./key-store.ts";
import type { Orm } from "./orm.ts";
import { isPostgres, rawRows } from "./sql.ts";

// `wego db copy` (node/cli/db-copy.ts): every row of a SQLite store copied into an empty
// PostgreSQL one with the same migrations, then compared. The schema is the same on both
// (migrations/dialect.ts), so rows copy as they are: no column is converted.

/** A table the copy moves: its key (the order rows are read and compared in) and its identity column. */
export interface CopiedTable {
  readonly name: string;
  /** Primary key columns; empty for a table without one (read in SQLite's rowid order). */
  readonly key: readonly string[];
  /** The auto-numbered column whose PostgreSQL sequence must continue after the copied rows. */
  readonly serial?: string;
}

/**
 * Every table of the store, parents before the tables that reference them. A migration that
 * adds a table adds it here too: {@link uncoveredTables} makes `db copy` refuse to run otherwise.
 */
export const COPIED_TABLES: readonly CopiedTable[] = [
  { name: "items", key: ["id"] },
  { name: "item_versions", key: ["seq"], serial: "seq" },
  { name: "item_links", key: ["source_id", "rel", "target_id"] },
  { name: "item_shares", key: ["item_id", "actor_id"] },
  { name: "keys", key: ["kid"] },
  { name: "tokens", key: ["id"], serial: "id" },
  { name: "users", key: ["id"], serial: "id" },
  { name: "meta", key: ["key"] },
  { name: "peers", key: ["actor_id"] },
  { name: "blocked_hosts", key: ["host"] },
  { name: "fedify_kv", key: ["key"] },
  { name: "fedify_queue", key: ["id"], serial: "id" },
  { name: "web_sessions", key: ["id"] },
  { name: "drafts", key: ["id"] },
  { name: "uploaded_files", key: ["sha256"] },
  { name: "assessments", key: ["id"] },
  { name: "assessment_scores", key: [] },
];

/**
 * Tables never copied: the ORM's and the database's own bookkeeping, and the rate limits
 * several processes share (PostgreSQL only, migration 010: counters that start afresh).
 */
const BOOKKEEPING = new Set(["mikro_orm_migrations", "sqlite_sequence", "rate_limits"]);

/** Rows read and written at a time: memory stays bounded whatever the library's size. */
const PAGE_ROWS = 200;
/** Most bound parameters in one insert (PostgreSQL allows 65,535). */
const MAX_PARAMS = 20_000;

type Row = Record<string, unknown>;

/** The names of the store's own tables. */
export async function tablesOf(orm: Orm): Promise<string[]> {
  const knex = orm.em.getKnex();
  const rows = isPostgres(orm.em.getPlatform())
    ? await rawRows<{ name: string }>(
        knex,
        "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
      )
    : await rawRows<{ name: string }>(knex, "select name from sqlite_master where type = 'table'");
  return rows
    .map((r) => r.name)
    .filter((n) => !BOOKKEEPING.has(n))
    .sort();
}

/** The store's tables that {@link COPIED_TABLES} does not name (a migration forgot `db copy`). */
export async function uncoveredTables(orm: Orm): Promise<string[]> {
  const known = new Set(COPIED_TABLES.map((t) => t.name));
  return (await tablesOf(orm)).filter((n) => !known.has(n));
}

/** How many rows each copied table holds. */
export async function countRows(orm: Orm): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of COPIED_TABLES) {
    const [row] = await rawRows<{ n: number }>(orm.em.getKnex(), `select count(*) as n from ${table.name}`);
    counts.set(table.name, Number(row?.n ?? 0));
  }
  return counts;
}

/** The collation of a PostgreSQL store's database (`C` gives SQLite's text order); null on SQLite. */
export async function collationOf(orm: Orm): Promise<string | null> {
  if (!isPostgres(orm.em.getPlatform())) return null;
  const [row] = await rawRows<{ collation: string }>(
    orm.em.getKnex(),
    "select datcollate as collation from pg_database where datname = current_database()",
  );
  return row?.collation ?? null;
}

/** Reads a table's rows page by page in key order (keyset paging, so each page costs the same). */
async function* pagesOf(db: Knex, table: CopiedTable, postgres: boolean): AsyncGenerator<Row[]> {
  if (table.key.length === 0) {
    if (postgres) {
      // No key to page by: the whole table in one order (only assessment_scores, small).
      for (let offset = 0; ; offset += PAGE_ROWS) {
        const rows = await rawRows<Row>(
          db,
          `select * from ${table.name} order by 1, 2, 3, 4, 5, 6, 7 offset ? limit ?`,
          [offset, PAGE_ROWS],
        );
        if (rows.length === 0) return;
        yield rows;
      }
    }
    let after = 0;
    for (;;) {
      const rows = await rawRows<Row>(
        db,
        `select rowid as wego_rowid, * from ${table.name} where rowid > ? order by rowid limit ?`,
        [after, PAGE_ROWS],
      );
      if (rows.length === 0) return;
      after = Number(rows.at(-1)!.wego_rowid);
      yield rows.map(({ wego_rowid: _, ...rest }) => rest);
    }
  }
  const key = table.key.join(", ");
  const marks = table.key.map(() => "?").join(", ");
  let after: unknown[] | null = null;
  for (;;) {
    const where: string = after ? `where (${key}) > (${marks})` : "";
    const rows: Row[] = await rawRows<Row>(db, `select * from ${table.name} ${where} order by ${key} limit ?`, [
      ...((after ?? []) as Knex.RawBinding[]),
      PAGE_ROWS,
    ]);
    if (rows.length === 0) return;
    const last: Row = rows.at(-1)!;
    after = table.key.map((k) => last[k]);
    yield rows;
  }
}

/** One row as comparable text: its columns in name order, numbers and text as JSON. */
function rowText(row: Row): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k]]),
  );
}

/**
 * A digest of a table's content that does not depend on row order (the two databases may
 * order text differently): the sum, modulo 2^256, of each row's SHA-256.
 */
export async function digestTable(orm: Orm, table: CopiedTable): Promise<string> {
  const modulus = 1n << 256n;
  let sum = 0n;
  for await (const rows of pagesOf(orm.em.getKnex(), table, isPostgres(orm.em.getPlatform()))) {
    for (const row of rows)
      sum = (sum + BigInt(`0x${createHash("sha256").update(rowText(row)).digest("hex")}`)) % modulus;
  }
  return sum.toString(16).padStart(64, "0");
}

/** The next value SQLite's AUTOINCREMENT would give a table's identity, minus one (it never reuses a deleted row's). */
async function sqliteSequenceOf(db: Knex, table: string): Promise<number> {
  const [row] = await rawRows<{ seq: number }>(db, "select seq from sqlite_sequence where name = ?", [table]);
  return Number(row?.seq ?? 0);
}

/** Options of {@link copyRows}. */
export interface CopyRowsOptions {
  /** Called after each table with how many rows it copied. */
  readonly onTable?: (table: string, rows: number) => void;
}

/**
 * Copies every row of a SQLite store into a migrated, empty PostgreSQL store, in one
 * transaction (a failed copy leaves the target empty), table by table in key order, a page
 * at a time; then moves each identity's sequence past the copied rows, so the next token,
 * version or queued message gets a number never used before.
 */
export async function copyRows(source: Orm, target: Orm, options: CopyRowsOptions = {}): Promise<void> {
  if (isPostgres(source.em.getPlatform()) || !isPostgres(target.em.getPlatform()))
    throw new TypeError("copyRows() copies a SQLite store into a PostgreSQL one");
  const from = source.em.getKnex();
  await target.em.getKnex().transaction(async (trx) => {
    for (const table of COPIED_TABLES) {
      let copied = 0;
      for await (const rows of pagesOf(from, table, false)) {
        const perInsert = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
        for (let i = 0; i < rows.length; i += perInsert) await trx(table.name).insert(rows.slice(i, i + perInsert));
        copied += rows.length;
      }
      if (table.serial) {
        const used = Math.max(
          await sqliteSequenceOf(from, table.name),
          Number(
            (await rawRows<{ m: number | null }>(from, `select max(${table.serial}) as m from ${table.name}`))[0]?.m ??
              0,
          ),
        );
        // is_called false with 1: the first value is 1; true with n: the next is n + 1.
        await trx.raw("select setval(pg_get_serial_sequence(?, ?), ?, ?)", [
          table.name,
          table.serial,
          Math.max(used, 1),
          used > 0,
        ]);
      }
      options.onTable?.(table.name, copied);
    }
  });
}

/** A stored version as the verification of a copy reads it. */
export interface StoredVersionRow {
  readonly seq: number;
  readonly itemId: string;
  readonly version: number;
  readonly document: string;
  readonly jws: string;
  /** Whether the item is this city's own (signed with a key in `keys`). */
  readonly local: boolean;
}

/** Every stored version, `size` at a time in sequence order. */
export async function* storedVersionPages(orm: Orm, size = PAGE_ROWS): AsyncGenerator<StoredVersionRow[]> {
  let after = 0;
  for (;;) {
    const rows = await rawRows<{
      seq: number;
      item_id: string;
      version: number;
      document: string;
      jws: string;
      local: number;
    }>(
      orm.em.getKnex(),
      `select v.seq, v.item_id, v.version, v.document, v.jws, i.local from item_versions v
        join items i on i.id = v.item_id where v.seq > ? order by v.seq limit ?`,
      [after, size],
    );
    if (rows.length === 0) return;
    after = Number(rows.at(-1)!.seq);
    yield rows.map((r) => ({
      seq: Number(r.seq),
      itemId: r.item_id,
      version: Number(r.version),
      document: r.document,
      jws: r.jws,
      local: Number(r.local) === 1,
    }));
  }
}

/** The public halves of the city's document-signing keys, retired ones included (old signatures still verify). */
export async function documentPublicKeys(orm: Orm): Promise<Record<string, unknown>[]> {
  const rows = await rawRows<{ public_jwk: string }>(
    orm.em.getKnex(),
    "select public_jwk from keys where purpose = ?",
    [DOCUMENT_KEY_PURPOSE],
  );
  return rows.map((r) => JSON.parse(r.public_jwk) as Record<string, unknown>);
}
