import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Knex } from "@mikro-orm/knex";
import type { Orm } from "./orm.ts";
import { isPostgres, rawRows } from "./sql.ts";

// Work that must run in one process at a time when several `wego serve` processes share one
// PostgreSQL database (docs/scale-out.md): the publisher's watermark, a peer's backfill, a
// look of the health probe. Each lock is a PostgreSQL advisory lock taken with
// pg_try_advisory_lock on a connection outside the pool (one for the publisher's, one for
// every other), held while the work runs: when the process dies, its connections close and
// its locks go with them, so another process takes the work over. On SQLite the node is one process and every lock is granted.

/** Outcome of {@link RunOnceLocks.run}: the work's value, or that another process holds the lock. */
export type RunOnceOutcome<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

/** Named locks across the processes that share the node's database. */
export interface RunOnceLocks {
  /** Which database the locks live in. */
  readonly database: "sqlite" | "postgres";
  /** Runs `work` holding the lock `name`; when another process holds it, answers `{ ran: false }` at once. */
  run<T>(name: string, work: () => Promise<T>): Promise<RunOnceOutcome<T>>;
  /**
   * Takes the lock `name` and keeps it until {@link release} or {@link close} (or the death
   * of this process). Answers whether this process holds it now; a held lock's connection is
   * checked each time, so a lock lost with its connection is reported, and taken again if it can be.
   */
  hold(name: string): Promise<boolean>;
  /** Whether this process held the lock `name` at its last {@link hold} (no query). */
  holding(name: string): boolean;
  /** Gives up a lock taken with {@link hold}. */
  release(name: string): Promise<void>;
  /** How many sessions, in any process, hold the lock `name` now. */
  holders(name: string): Promise<number>;
  /** Releases every lock of this process. */
  close(): Promise<void>;
}

/** The advisory lock space of this node's locks (the two-key form): "wego" in ASCII. */
const LOCK_SPACE = 0x7765676f;

/** The second key of lock `name`: 31 bits of its SHA-256. */
function lockKey(name: string): number {
  return createHash("sha256").update(name).digest().readUInt32BE(0) & 0x7fffffff;
}

/**
 * Waits for the transaction-level advisory lock `name` of transaction `trx` on PostgreSQL:
 * it is held until that transaction commits or rolls back, so transactions that take it
 * commit one after the other. Nothing on SQLite, where one writer at a time is the rule.
 */
export async function lockUntilCommit(
  em: { getPlatform(): { constructor: { name: string } } },
  trx: Knex,
  name: string,
): Promise<void> {
  if (isPostgres(em.getPlatform())) await trx.raw("select pg_advisory_xact_lock(?, ?)", [LOCK_SPACE, lockKey(name)]);
}

/** The part of `pg`'s Client used here. */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): void;
}

/** Locks of a node that is one process (SQLite, and tests): granted at once; holders counts this process. */
export function singleProcessLocks(): RunOnceLocks {
  const held = new Set<string>();
  return {
    database: "sqlite",
    async run(_name, work) {
      return { ran: true, value: await work() };
    },
    async hold(name) {
      held.add(name);
      return true;
    },
    holding: (name) => held.has(name),
    async release(name) {
      held.delete(name);
    },
    async holders(name) {
      return held.has(name) ? 1 : 0;
    },
    async close() {
      held.clear();
    },
  };
}

/** Advisory locks on the PostgreSQL database `url`, on connections of their own (outside the pool). */
function createAdvisoryLocks(orm: Orm, url: string): RunOnceLocks {
  const { Client } = createRequire(import.meta.url)("pg") as {
    Client: new (options: { connectionString: string; application_name?: string }) => PgClient;
  };
  /** Connections kept by hold(): the lock's, or one that keeps trying for it. */
  const kept = new Map<string, { client: PgClient; held: boolean; lost: boolean }>();
  /** The names run() is running now in this process. */
  const runningHere = new Set<string>();
  /** The session run() takes its locks on, made at the first run and again after it broke. */
  let session: Promise<PgClient> | null = null;
  function runSession(): Promise<PgClient> {
    session ??= connect("runs", () => {
      session = null;
    }).catch((error: unknown) => {
      session = null;
      throw error;
    });
    return session;
  }

  async function connect(name: string, onLost: () => void): Promise<PgClient> {
    const client = new Client({ connectionString: url, application_name: `wego lock ${name}` });
    // A connection that breaks takes its lock with it: never crash the process over it.
    client.on("error", onLost);
    await client.connect();
    return client;
  }

  async function tryLock(client: PgClient, name: string): Promise<boolean> {
    const { rows } = await client.query("select pg_try_advisory_lock($1, $2) as ok", [LOCK_SPACE, lockKey(name)]);
    return rows[0]?.ok === true;
  }

  async function drop(name: string): Promise<void> {
    const entry = kept.get(name);
    if (!entry) return;
    kept.delete(name);
    // Closing the session releases every advisory lock it held.
    await entry.client.end().catch(() => {});
  }

  return {
    database: "postgres",

    async run(name, work) {
      // One session for every run of this process: its locks are taken and given back one by
      // one, so a process uses two connections for its locks whatever its number of peers.
      // (A session may take a lock it holds again: a run going in this process is refused here.)
      if (runningHere.has(name)) return { ran: false };
      runningHere.add(name);
      try {
        const client = await runSession();
        if (!(await tryLock(client, name))) return { ran: false };
        try {
          return { ran: true, value: await work() };
        } finally {
          await client.query("select pg_advisory_unlock($1, $2)", [LOCK_SPACE, lockKey(name)]).catch(() => {});
        }
      } finally {
        runningHere.delete(name);
      }
    },

    async hold(name) {
      let entry = kept.get(name);
      if (entry?.lost) {
        await drop(name);
        entry = undefined;
      }
      try {
        if (!entry) {
          const fresh = { client: null as unknown as PgClient, held: false, lost: false };
          fresh.client = await connect(name, () => {
            fresh.lost = true;
          });
          entry = fresh;
          kept.set(name, entry);
        }
        // Held: prove the session (and so the lock) is still there. Not held: try again.
        if (entry.held) await entry.client.query("select 1");
        else entry.held = await tryLock(entry.client, name);
        return entry.held && !entry.lost;
      } catch {
        await drop(name);
        return false;
      }
    },

    holding(name) {
      const entry = kept.get(name);
      return !!entry && entry.held && !entry.lost;
    },

    release: drop,

    async holders(name) {
      const rows = await rawRows<{ n: number }>(
        orm.em.getKnex(),
        `select count(*) as n from pg_locks where locktype = 'advisory' and granted and objsubid = 2
          and database = (select oid from pg_database where datname = current_database())
          and classid = ? and objid = ?`,
        [LOCK_SPACE, lockKey(name)],
      );
      return Number(rows[0]?.n ?? 0);
    },

    async close() {
      await Promise.all([...kept.keys()].map(drop));
      const open = session;
      session = null;
      await open?.then((client) => client.end()).catch(() => {});
    },
  };
}

/**
 * The run-once locks of the node's database: advisory locks on PostgreSQL (several processes
 * may share it), granted at once on SQLite (one process).
 */
export function createRunOnceLocks(orm: Orm): RunOnceLocks {
  if (!isPostgres(orm.em.getPlatform())) return singleProcessLocks();
  const url = orm.config.get("clientUrl");
  if (!url) throw new TypeError("a PostgreSQL store opened without a clientUrl");
  return createAdvisoryLocks(orm, url);
}
