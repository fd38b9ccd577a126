import type { Knex } from "@mikro-orm/knex";
import type { Orm } from "./orm.ts";
import { notify } from "./notifications.ts";
import { isPostgres, rawRows } from "./sql.ts";

// The `fedify_queue` table (migrations/002-federation-store.ts): every query of the durable
// message queue (node/federation/queue.ts), which decides what to claim, retry and drop.

/** A claimed row: its message as stored, and how often it was tried. */
export interface ClaimedRow {
  readonly id: number;
  readonly message: string;
  readonly attempts: number;
  readonly deliver_at: number;
}

/** A message to store. */
export interface NewQueueRow {
  readonly message: string;
  readonly deliver_at: number;
  readonly attempts: number;
  readonly created_at: number;
}

/** The rows of the message queue. */
export interface QueueTable {
  /**
   * Stores rows: inside the caller's transaction when there is one (the returned promise
   * then settles when that transaction does), else in one transaction of its own.
   * Answers when the rows are visible to other connections.
   */
  insert(rows: readonly NewQueueRow[]): Promise<{ readonly visible: Promise<void> }>;
  /**
   * Leases up to `limit` rows due at `now` until `lockedUntil`, oldest first. On PostgreSQL
   * one statement that skips rows another process is claiming at that moment.
   */
  claim(now: number, lockedUntil: number, limit: number): Promise<ClaimedRow[]>;
  /** Extends a lease. */
  renew(id: number, lockedUntil: number): Promise<void>;
  /**
   * Frees leases (all of them when `ids` is null, on SQLite only: on PostgreSQL other live
   * processes hold leases too, so a dead one's jobs come back when its leases pass).
   * Answers how many rows were freed.
   */
  release(ids: readonly number[] | null): Promise<number>;
  /** Removes a handled row. */
  remove(id: number): Promise<void>;
  /** Schedules a failed row again. */
  retry(id: number, attempts: number, deliverAt: number, lastError: string): Promise<void>;
  /** Rows whose stored message mentions a private key (stored by an older version). */
  withPrivateKeys(): Promise<{ id: number; message: string }[]>;
  /** Rewrites a row's message. */
  rewrite(id: number, message: string): Promise<void>;
  /** Rows not yet handled successfully. */
  count(): Promise<number>;
}

const INSERT_CHUNK = 500;

/**
 * The connection to use: the caller's transaction when there is one (the pool has a single
 * connection, so a query outside a running `em.transactional()` would wait for it forever).
 */
function transactionOf(orm: Orm): Knex.Transaction | undefined {
  return orm.em.getTransactionContext<Knex.Transaction>();
}

/** The queue's table over the node's database, with bound parameters throughout. */
export function createQueueTable(orm: Orm): QueueTable {
  const knex = () => orm.em.getKnex();
  const table = (db: Knex = knex()) => db("fedify_queue");
  const postgres = isPostgres(orm.em.getPlatform());
  return {
    async insert(rows) {
      const insertAll = async (db: Knex) => {
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) await table(db).insert(rows.slice(i, i + INSERT_CHUNK));
        // Every process's listeners look for due rows once this commits.
        await notify(orm.em, db, "wego_queue");
      };
      const trx = transactionOf(orm);
      if (trx) {
        await insertAll(trx);
        return { visible: trx.executionPromise.then(() => {}) };
      }
      if (rows.length <= INSERT_CHUNK) await insertAll(knex());
      else await knex().transaction(insertAll);
      return { visible: Promise.resolve() };
    },

    async claim(now, lockedUntil, limit) {
      if (postgres) {
        // Rows locked by another process's claim are skipped, not waited for: no two claims
        // take the same row, and none blocks on another.
        const claimed = await rawRows<ClaimedRow>(
          knex(),
          `update fedify_queue set locked_until = ?
            where id in (select id from fedify_queue
              where deliver_at <= ? and (locked_until is null or locked_until < ?)
              order by deliver_at, id limit ? for update skip locked)
            returning id, message, attempts, deliver_at`,
          [lockedUntil, now, now, limit],
        );
        return claimed.sort((a, b) => a.deliver_at - b.deliver_at || a.id - b.id);
      }
      // A read first: idle polls then take no write lock, which other processes (the CLI) would wait for.
      const due = await rawRows<{ id: number }>(
        knex(),
        `select id from fedify_queue
          where deliver_at <= ? and (locked_until is null or locked_until < ?)
          order by deliver_at, id limit ?`,
        [now, now, limit],
      );
      if (due.length === 0) return [];
      const ids = due.map((r) => r.id);
      // The lock condition is repeated: another listener (or process) may have claimed a row since the read.
      const claimed = await rawRows<ClaimedRow>(
        knex(),
        `update fedify_queue set locked_until = ?
          where id in (${ids.map(() => "?").join(", ")}) and (locked_until is null or locked_until < ?)
          returning id, message, attempts, deliver_at`,
        [lockedUntil, ...ids, now],
      );
      return claimed.sort((a, b) => a.deliver_at - b.deliver_at || a.id - b.id);
    },

    async renew(id, lockedUntil) {
      await table().where("id", id).update({ locked_until: lockedUntil });
    },

    async release(ids) {
      if (ids === null && postgres) return 0;
      if (ids === null) return (await table().whereNotNull("locked_until").update({ locked_until: null })) as number;
      if (ids.length === 0) return 0;
      return (await table().whereIn("id", ids).update({ locked_until: null })) as number;
    },

    async remove(id) {
      await table().where("id", id).del();
    },

    async retry(id, attempts, deliverAt, lastError) {
      await table()
        .where("id", id)
        .update({ attempts, deliver_at: deliverAt, locked_until: null, last_error: lastError });
    },

    async withPrivateKeys() {
      return (await table().select("id", "message").where("message", "like", '%"privateKey"%')) as {
        id: number;
        message: string;
      }[];
    },

    async rewrite(id, message) {
      await table().where("id", id).update({ message });
    },

    async count() {
      const db = transactionOf(orm) ?? knex();
      const rows = await rawRows<{ n: number }>(db, "select count(*) as n from fedify_queue");
      return rows[0]?.n ?? 0;
    },
  };
}
