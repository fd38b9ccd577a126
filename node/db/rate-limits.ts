import type { Knex } from "@mikro-orm/knex";
import type { Orm } from "./orm.ts";
import { isPostgres, rawRows } from "./sql.ts";

// Rate limits shared by every process on one PostgreSQL database (table rate_limits,
// migrations/010-rate-limits.ts): the inbox door's per-host token buckets and the failed-login
// counters. With several processes behind one origin, limits kept per process would let a
// client have the limit once per process. Each decision is one atomic statement. On SQLite
// the node is one process and keeps its limits in memory (no table, no query).

/** A per-key token bucket in the database. */
export interface SharedBuckets {
  /** Takes one token of `key`'s bucket; false when it is empty. */
  take(key: string): Promise<boolean>;
}

/** Failures per key in fixed windows, in the database. */
export interface SharedFailures {
  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string): Promise<number>;
  /** Counts one failure of `key`. */
  fail(key: string): Promise<void>;
  /** Forgets `key`'s failures. */
  clear(key: string): Promise<void>;
}

/** The shared limits of a database. */
export interface SharedLimits {
  /** Token buckets named `name`, earning `perSecond` up to `burst`. */
  buckets(name: string, perSecond: number, burst: number): SharedBuckets;
  /** Failure counters named `name`: `max` failures per `windowMs`. */
  failures(name: string, max: number, windowMs: number): SharedFailures;
}

/** How often, at most, rows no limit needs any more are deleted. */
const SWEEP_INTERVAL_MS = 60_000;
/** Keys are cut to this length (a username typed by anyone). */
const MAX_KEY = 300;

/** The limits shared through `orm`'s database on PostgreSQL; null on SQLite (keep them in memory). */
export function sharedLimitsOf(orm: Orm): SharedLimits | null {
  if (!isPostgres(orm.em.getPlatform())) return null;
  const knex = (): Knex => orm.em.getKnex();
  let lastSweep = 0;
  /** Deletes rows whose window has passed and full buckets (a missing bucket starts full). */
  const sweep = async (now: number): Promise<void> => {
    if (now - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = now;
    await knex().raw("delete from rate_limits where until_ms < ?", [now]);
  };
  const keyOf = (name: string, key: string) => `${name}:${key}`.slice(0, MAX_KEY);

  return {
    buckets(name, perSecond, burst) {
      // A bucket is full again `burst / perSecond` seconds after its last take: until_ms.
      const fullAfterMs = (burst / perSecond) * 1000;
      return {
        async take(key) {
          const now = Date.now();
          const refilled = `least(?::float8, rate_limits.amount + (?::float8 - rate_limits.at_ms) / 1000.0 * ?::float8)`;
          const rows = await rawRows<{ granted: number }>(
            knex(),
            `insert into rate_limits (key, amount, at_ms, until_ms, granted) values (?, ?, ?, ?, 1)
             on conflict (key) do update set
               granted = case when ${refilled} >= 1 then 1 else 0 end,
               amount = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
               at_ms = excluded.at_ms,
               until_ms = excluded.until_ms
             returning granted`,
            [
              keyOf(name, key),
              burst - 1,
              now,
              Math.ceil(now + fullAfterMs),
              ...[burst, now, perSecond],
              ...[burst, now, perSecond, burst, now, perSecond, burst, now, perSecond],
            ],
          );
          await sweep(now);
          return rows[0]?.granted === 1;
        },
      };
    },

    failures(name, max, windowMs) {
      return {
        async retryAfter(key) {
          const now = Date.now();
          const rows = await rawRows<{ amount: number; until_ms: number }>(
            knex(),
            "select amount, until_ms from rate_limits where key = ? and until_ms > ?",
            [keyOf(name, key), now],
          );
          const row = rows[0];
          return row && row.amount >= max ? Math.max(1, Math.ceil((row.until_ms - now) / 1000)) : 0;
        },
        async fail(key) {
          const now = Date.now();
          // A window starts at a key's first failure; one that has passed starts again.
          await knex().raw(
            `insert into rate_limits (key, amount, at_ms, until_ms, granted) values (?, 1, ?, ?, 0)
             on conflict (key) do update set
               amount = case when rate_limits.until_ms <= excluded.at_ms then 1 else rate_limits.amount + 1 end,
               until_ms = case when rate_limits.until_ms <= excluded.at_ms then excluded.until_ms else rate_limits.until_ms end,
               at_ms = excluded.at_ms`,
            [keyOf(name, key), now, now + windowMs],
          );
          await sweep(now);
        },
        async clear(key) {
          await knex().raw("delete from rate_limits where key = ?", [keyOf(name, key)]);
        },
      };
    },
  };
}
