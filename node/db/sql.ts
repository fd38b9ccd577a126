import type { Knex } from "@mikro-orm/knex";

// What differs between the two databases in how a raw query answers, in one place.

/**
 * The rows a raw `select` (or `… returning`) gives: knex answers with the rows themselves
 * on SQLite and with the driver's result (`{ rows }`) on PostgreSQL.
 */
export async function rawRows<T>(db: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> {
  const result = (await db.raw(sql, bindings)) as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/** Whether an ORM platform speaks PostgreSQL (else it is SQLite). */
export function isPostgres(platform: { constructor: { name: string } }): boolean {
  return platform.constructor.name === "PostgreSqlPlatform";
}

/**
 * An SQL expression for the text at `path` inside the JSON text of `column`: `json_extract`
 * on SQLite, `#>>` on PostgreSQL. `column` and `path` come from the code, never from input.
 */
export function jsonTextAt(
  platform: { constructor: { name: string } },
  column: string,
  path: readonly string[],
): string {
  return isPostgres(platform)
    ? `(${column}::json #>> '{${path.join(",")}}')`
    : `json_extract(${column}, '$.${path.join(".")}')`;
}
