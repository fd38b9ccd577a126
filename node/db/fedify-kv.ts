import type { KvKey, KvStore, KvStoreSetOptions } from "@fedify/fedify";
import type { Knex } from "@mikro-orm/knex";
import type { Orm } from "./orm.ts";
import { rawRows } from "./sql.ts";

// Fedify's own SQLite store needs Node 22's node:sqlite, so this one runs over the node's
// database (table fedify_kv, migrations/002-federation-store.ts). Raw knex with bound
// parameters: Fedify reads the store on every signed request (key and document caches).

/** How often, at most, set() also deletes every expired entry. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The connection to use: the caller's transaction when there is one. The pool has a single
 * connection, so a query outside a running `em.transactional()` would wait for it forever.
 */
function database(orm: Orm): Knex {
  return orm.em.getTransactionContext<Knex.Transaction>() ?? orm.em.getKnex();
}

/** Serialises a value; Fedify stores plain JSON values (documents, keys, `true`). */
function serialize(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`KvStore values must be JSON-serialisable, got ${typeof value}`);
  return json;
}

/**
 * Fedify's KvStore over the node's SQLite database. Entries past their TTL read as
 * `undefined`; they are deleted when read and, at most once a minute, by set().
 */
export function createSqliteKvStore(orm: Orm): KvStore {
  let lastSweep = 0;
  return {
    async get<T = unknown>(key: KvKey): Promise<T | undefined> {
      const db = database(orm);
      const k = JSON.stringify(key);
      const rows = await rawRows<{ value: string; expires_at: number | null }>(
        db,
        "select value, expires_at from fedify_kv where key = ?",
        [k],
      );
      const row = rows[0];
      if (!row) return undefined;
      const now = Date.now();
      if (row.expires_at !== null && row.expires_at <= now) {
        await db.raw("delete from fedify_kv where key = ? and expires_at <= ?", [k, now]);
        return undefined;
      }
      return JSON.parse(row.value) as T;
    },

    async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
      const db = database(orm);
      const now = Date.now();
      const expiresAt = options?.ttl == null ? null : now + Math.max(0, options.ttl.total("millisecond"));
      await db.raw(
        `insert into fedify_kv (key, value, expires_at) values (?, ?, ?)
         on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`,
        [JSON.stringify(key), serialize(value), expiresAt],
      );
      if (now - lastSweep >= SWEEP_INTERVAL_MS) {
        lastSweep = now;
        await db.raw("delete from fedify_kv where expires_at <= ?", [now]);
      }
    },

    async delete(key: KvKey): Promise<void> {
      await database(orm).raw("delete from fedify_kv where key = ?", [JSON.stringify(key)]);
    },
  };
}
