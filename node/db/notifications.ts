import { createRequire } from "node:module";
import type { Knex } from "@mikro-orm/knex";
import type { Orm } from "./orm.ts";
import { isPostgres } from "./sql.ts";

// Wake-ups between the processes sharing one PostgreSQL database: a writer sends
// `NOTIFY <channel>` (inside its transaction, so it is delivered on commit and never for a
// rollback) and every process LISTENs on one dedicated connection of its own, outside the
// pool (a pooled connection would be handed to queries and lose its LISTEN). A notification
// only says "look again": whoever receives one reads the database, and a periodic poll
// stays the fallback for any lost while the connection was down. On SQLite (one process)
// there is nothing to send or to listen to.

/** The channels the node uses. */
export type Channel = "wego_queue" | "wego_versions" | "wego_purged";

/** A process's subscriptions to the database's notifications. */
export interface Notifications {
  /**
   * Calls `wake` for every notification on `channel` (and once after the listening
   * connection was re-established, as some may have been missed). Answers an unsubscribe.
   */
  subscribe(channel: Channel, wake: () => void): () => void;
}

/** The part of `pg`'s Client used here (`pg` ships no types of its own). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: "notification", fn: (msg: { channel: string }) => void): void;
  on(event: "error", fn: (error: Error) => void): void;
  on(event: "end", fn: () => void): void;
}

interface PgModule {
  Client: new (options: { connectionString: string }) => PgClient;
}

/** Longest wait before trying to listen again after the connection failed. */
const RECONNECT_CAP_MS = 5_000;

const registry = new WeakMap<Orm, Notifications>();

/** The process's notifications over `orm` (one listening connection per database, opened on first subscribe). */
export function notificationsOf(orm: Orm): Notifications {
  let found = registry.get(orm);
  if (!found) {
    found = isPostgres(orm.em.getPlatform())
      ? createListener(String(orm.config.get("clientUrl")))
      : { subscribe: () => () => {} };
    registry.set(orm, found);
  }
  return found;
}

/**
 * Sends a notification on `channel` over `db`: the caller's transaction when it is one
 * (delivered when it commits). Nothing on SQLite.
 */
export async function notify(
  em: { getPlatform(): { constructor: { name: string } } },
  db: Knex,
  channel: Channel,
): Promise<void> {
  if (isPostgres(em.getPlatform())) await db.raw("select pg_notify(?, '')", [channel]);
}

/**
 * One LISTEN connection, open while anyone is subscribed: closed with the last unsubscribe
 * (so a closed store leaves no connection behind), re-established with a backoff when it
 * drops.
 */
function createListener(url: string): Notifications {
  const subscribers = new Map<Channel, Set<() => void>>();
  let client: PgClient | null = null;
  let connecting: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  /** The channels the current client LISTENs on. */
  let listening = new Set<Channel>();

  async function listenAll(c: PgClient): Promise<void> {
    for (const channel of subscribers.keys()) {
      if (listening.has(channel)) continue;
      listening.add(channel);
      await c.query(`listen ${channel}`);
    }
  }

  const total = () => [...subscribers.values()].reduce((n, s) => n + s.size, 0);
  const wakeAll = () => {
    for (const set of subscribers.values()) for (const wake of set) wake();
  };

  function retryLater(): void {
    if (retryTimer || total() === 0) return;
    const delay = Math.min(100 * 2 ** failures++, RECONNECT_CAP_MS);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void open();
    }, delay);
    retryTimer.unref();
  }

  function dropped(which: PgClient): void {
    if (client !== which) return;
    client = null;
    which.end().catch(() => {});
    retryLater();
  }

  function open(): Promise<void> {
    if (client || connecting || total() === 0) return connecting ?? Promise.resolve();
    const { Client } = createRequire(import.meta.url)("pg") as PgModule;
    const next = new Client({ connectionString: url });
    next.on("notification", (msg) => {
      for (const wake of subscribers.get(msg.channel as Channel) ?? []) wake();
    });
    next.on("error", () => dropped(next));
    next.on("end", () => dropped(next));
    connecting = (async () => {
      try {
        await next.connect();
        listening = new Set();
        client = next;
        await listenAll(next);
        const reconnected = failures > 0;
        failures = 0;
        if (total() === 0) await close();
        // Notifications sent while nobody listened are lost: everyone looks again.
        else if (reconnected) wakeAll();
      } catch {
        if (client === next) client = null;
        await next.end().catch(() => {});
        retryLater();
      } finally {
        connecting = null;
      }
    })();
    return connecting;
  }

  async function close(): Promise<void> {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    const was = client;
    client = null;
    if (was) await was.end().catch(() => {});
  }

  return {
    subscribe(channel, wake) {
      let set = subscribers.get(channel);
      const newChannel = !set;
      if (!set) subscribers.set(channel, (set = new Set()));
      set.add(wake);
      const c = client;
      if (c && newChannel) listenAll(c).catch(() => dropped(c));
      else void open();
      return () => {
        set.delete(wake);
        if (set.size === 0) subscribers.delete(channel);
        if (total() === 0) void close();
      };
    },
  };
}
