import { createHash } from "node:crypto";
import type { Orm } from "./orm.ts";
import { jsonTextAt } from "./sql.ts";

// The `web_sessions` table (migration 004): the web pages' sessions, keyed by the SHA-256
// of the cookie's random key, so a copy of the database logs no one in.

/** Options of {@link createWebSessionStore}. */
export interface WebSessionStoreOptions {
  /** How long a session lives when the caller gives no usable lifetime. */
  readonly defaultTtlMs: number;
}

/** A koa-session store: sessions as JSON under the hash of their key, with an expiry. */
export interface WebSessionStore {
  /** The session of a key, or undefined when there is none or it has expired. */
  get(key: string): Promise<unknown>;
  /** Writes a session for `maxAge` ms, and removes every expired one. */
  set(key: string, data: unknown, maxAge: number): Promise<void>;
  /** Removes a session. */
  destroy(key: string): Promise<void>;
}

function sessionId(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * The web sessions over the node's database. The table keeps only the SHA-256 of each
 * key, so sessions survive restarts and logging out ends them on the server, not only in
 * the browser.
 */
export function createWebSessionStore(orm: Orm, options: WebSessionStoreOptions): WebSessionStore {
  const conn = () => orm.em.getConnection();
  return {
    async get(key) {
      // A session holds its login as it was at login; it counts only while that login still
      // exists, is not disabled and has the same role. So a session an in-flight request
      // wrote back after an admin ended it (koa-session saves at the end of a request) logs
      // no one in, and never with the role the admin took away.
      const rows = (await conn().execute(
        `select s.data, s.expires_at, u.role, u.disabled_at
           from web_sessions s
           left join users u on u.username = ${jsonTextAt(orm.em.getPlatform(), "s.data", ["user", "username"])}
          where s.id = ?`,
        [sessionId(key)],
        "all",
      )) as { data: string; expires_at: number; role: string | null; disabled_at: string | null }[];
      const row = rows[0];
      if (!row || row.expires_at < Date.now()) return undefined;
      const data = JSON.parse(row.data) as { user?: { role?: unknown } };
      if (data.user && (row.role === null || row.role !== data.user.role || row.disabled_at !== null)) return undefined;
      return data;
    },
    async set(key, data, maxAge) {
      const now = Date.now();
      const ttl = Number.isFinite(maxAge) && maxAge > 0 ? maxAge : options.defaultTtlMs;
      await conn().execute(
        "insert into web_sessions (id, data, expires_at) values (?, ?, ?) on conflict (id) do update set data = excluded.data, expires_at = excluded.expires_at",
        [sessionId(key), JSON.stringify(data), now + ttl],
        "run",
      );
      await conn().execute("delete from web_sessions where expires_at < ?", [now], "run");
    },
    async destroy(key) {
      await conn().execute("delete from web_sessions where id = ?", [sessionId(key)], "run");
    },
  };
}

/** Ends every web session of a login (after an admin changed or disabled it). */
export async function endSessionsOf(orm: Orm, username: string): Promise<void> {
  await orm.em
    .getConnection()
    .execute(
      `delete from web_sessions where ${jsonTextAt(orm.em.getPlatform(), "data", ["user", "username"])} = ?`,
      [username],
      "run",
    );
}
