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
