import type { MessageQueue, MessageQueueEnqueueOptions, MessageQueueListenOptions } from "@fedify/fedify";
import type { Orm } from "../db/orm.ts";
import { notificationsOf } from "../db/notifications.ts";
import { type ClaimedRow, createQueueTable } from "../db/queue-table.ts";
import type { Logger } from "../log.ts";
import { createQueueKeyResolver, type QueueKeyResolver } from "./actor-keys.ts";

// A durable MessageQueue over the node's database (table fedify_queue,
// migrations/002-federation-store.ts). Fedify's InProcessMessageQueue loses pending
// deliveries on a crash and its SQLite package needs Node 22, hence this one.
//
// A row is deleted only after its handler resolved. A worker claims a row by setting
// locked_until (its lease) and renews the lease while the handler runs, so a row whose
// lease has passed belongs to a worker that died: any listener may claim it again. That
// gives at-least-once delivery across a SIGKILL.
//
// Fedify's outbox and fanout messages carry the sender's private keys as JWKs. They are
// never stored: a row names each key by reference (its thumbprint), and the key is put
// back from the key store when the row is handed to Fedify. A copy of the database (or a
// look at a pending row) shows no private key.
//
// On PostgreSQL several processes share the table: a claim skips rows another process is
// claiming (FOR UPDATE SKIP LOCKED), an insert sends NOTIFY wego_queue, and every process
// with a running listen() wakes on it (node/db/notifications.ts); the poll stays the fallback.

/** Options of {@link createSqliteMessageQueue}. */
export interface SqliteMessageQueueOptions {
  /**
   * How often listen() looks for due messages, in ms (default 200). Enqueues in this
   * process (and, on PostgreSQL, in any process on the database) wake it at once.
   */
  readonly pollIntervalMs?: number;
  /** How many handlers one listen() runs at the same time (default 4). */
  readonly workers?: number;
  /** How long a claim lasts without renewal, in ms (default 60 000); renewed every third of it while the handler runs. */
  readonly leaseMs?: number;
  /** Delay before the first retry of a message whose handler threw, in ms (default 1 000); doubles with each attempt. */
  readonly retryBaseMs?: number;
  /** Longest delay between retries, in ms (default 3 600 000, one hour). */
  readonly retryCapMs?: number;
  /** Where failed handlers and database errors are reported (default: nowhere). */
  readonly logger?: Logger;
  /** Turns the private keys of queued messages into references and back (default: the city actor's keys in this database). */
  readonly keys?: QueueKeyResolver;
}

/** How a queued message names a private key it carried. */
interface PrivateKeyReference {
  readonly kty: string;
  readonly thumbprint: string;
}

interface SenderKey {
  keyId: string;
  privateKey?: JsonWebKey;
  privateKeyRef?: PrivateKeyReference;
}

/** A durable Fedify MessageQueue that also reports its depth and can be stopped. */
export interface SqliteMessageQueue extends MessageQueue {
  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void>;
  /** The number of messages not yet handled successfully (due, delayed or in flight). */
  depth(): Promise<number>;
  /** Stops every listen() of this queue and waits for their running handlers; pending messages stay stored. */
  close(): Promise<void>;
  /**
   * Frees the claims of a process that died (SIGKILL, power loss) so their messages run
   * now rather than when the leases expire. Call once at start, before listen(): on SQLite
   * the node is the only process that handles this queue. On PostgreSQL it frees nothing
   * (another live process may hold those leases): a dead process's jobs come back when its
   * leases pass.
   */
  releaseOrphanedLeases(): Promise<number>;
}

/** What {@link withPrivateKeys} answers for a message that can no longer be signed. */
const DROPPED = Symbol("dropped");

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function serialize(message: unknown): string {
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError(`queue messages must be JSON-serialisable, got ${typeof message}`);
  return json;
}

/** Fedify's outbox and fanout messages: `keys: [{ keyId, privateKey: JWK }]`. */
function senderKeysOf(message: unknown): SenderKey[] | null {
  if (message === null || typeof message !== "object" || !("keys" in message)) return null;
  const keys = (message as { keys: unknown }).keys;
  if (
    !Array.isArray(keys) ||
    !keys.every((k) => k !== null && typeof k === "object" && typeof (k as SenderKey).keyId === "string")
  )
    return null;
  return keys as SenderKey[];
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`${name} must be a positive number, got ${v}`);
  return v;
}

/**
 * Fedify's MessageQueue over the node's database (SQLite or PostgreSQL): messages survive restarts and
 * crashes, a handler that throws is retried with exponential backoff, and each listen()
 * runs up to `workers` handlers at once.
 */
export function createSqliteMessageQueue(orm: Orm, options: SqliteMessageQueueOptions = {}): SqliteMessageQueue {
  const pollIntervalMs = positive("pollIntervalMs", options.pollIntervalMs, 200);
  const workers = Math.floor(positive("workers", options.workers, 4));
  const leaseMs = positive("leaseMs", options.leaseMs, 60_000);
  const retryBaseMs = positive("retryBaseMs", options.retryBaseMs, 1_000);
  const retryCapMs = positive("retryCapMs", options.retryCapMs, 3_600_000);
  const logger = options.logger ?? silent;
  const keyResolver = options.keys ?? createQueueKeyResolver(orm);
  const table = createQueueTable(orm);

  /** The message as stored: every private key replaced by a reference to it. */
  async function withoutPrivateKeys(message: unknown): Promise<unknown> {
    const keys = senderKeysOf(message);
    if (!keys?.some((k) => k.privateKey)) return message;
    const stored = await Promise.all(
      keys.map(async ({ privateKey, ...rest }) =>
        privateKey
          ? {
              ...rest,
              privateKeyRef: { kty: String(privateKey.kty), thumbprint: await keyResolver.referenceOf(privateKey) },
            }
          : rest,
      ),
    );
    return { ...(message as object), keys: stored };
  }

  /** The message as Fedify made it, its keys put back; {@link DROPPED} when a key is gone for good. */
  async function withPrivateKeys(message: unknown, id: number): Promise<unknown> {
    const keys = senderKeysOf(message);
    if (!keys?.some((k) => k.privateKeyRef)) return message;
    const restored: SenderKey[] = [];
    for (const { privateKeyRef, ...rest } of keys) {
      if (!privateKeyRef) {
        restored.push(rest);
        continue;
      }
      const found = await keyResolver.resolve(privateKeyRef.thumbprint, privateKeyRef.kty);
      if (!found) {
        logger.warn("queue: dropped a delivery: no key of its type to sign it with", {
          id,
          keyId: rest.keyId,
          kty: privateKeyRef.kty,
        });
        return DROPPED;
      }
      if (!found.current)
        logger.info("queue: signing a delivery with the current key; the one it was queued under was rotated away", {
          id,
          keyId: rest.keyId,
        });
      restored.push({ ...rest, privateKey: found.privateKey });
    }
    return { ...(message as object), keys: restored };
  }

  const closing = new AbortController();
  const listeners = new Set<Promise<void>>();
  /** Ids whose handler runs in this process: never start a second one, whatever the lease says. */
  const inFlight = new Set<number>();
  /** Resolvers of listen() loops sleeping until the next poll. */
  const sleepers = new Set<() => void>();
  /** Bumped by every wake-up, so a loop notices one that came while it was querying. */
  let wakeups = 0;

  function wake(): void {
    wakeups++;
    for (const resolve of sleepers) resolve();
    sleepers.clear();
  }

  function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  async function insert(messages: readonly unknown[], enqueueOptions?: MessageQueueEnqueueOptions): Promise<void> {
    if (messages.length === 0) return;
    const now = Date.now();
    const delayMs = enqueueOptions?.delay == null ? 0 : Math.max(0, enqueueOptions.delay.total("millisecond"));
    const stored = await Promise.all(messages.map(withoutPrivateKeys));
    const rows = stored.map((m) => ({
      message: serialize(m),
      deliver_at: Math.round(now + delayMs),
      attempts: 0,
      created_at: now,
    }));
    const { visible } = await table.insert(rows);
    // Inside the caller's transaction the messages exist once it commits (and vanish if it
    // rolls back): wake listeners then.
    visible.then(wake, () => {});
  }

  /** Claims up to `limit` due messages, oldest first; a claim is one atomic UPDATE. */
  function claim(limit: number): Promise<ClaimedRow[]> {
    const now = Date.now();
    return table.claim(now, now + leaseMs, limit);
  }

  /**
   * Rows stored by an older version still hold private keys: replace them by references.
   * Runs once, before the first listen() claims anything; idempotent.
   */
  async function scrubStoredKeys(): Promise<void> {
    const rows = await table.withPrivateKeys();
    for (const row of rows) {
      const scrubbed = serialize(await withoutPrivateKeys(JSON.parse(row.message)));
      if (scrubbed !== row.message) await table.rewrite(row.id, scrubbed);
    }
    if (rows.length > 0) logger.info("queue: removed private keys from stored deliveries", { count: rows.length });
  }
  let scrubbed: Promise<void> | undefined;

  async function release(ids: readonly number[]): Promise<void> {
    await table.release(ids);
  }

  async function handle(row: ClaimedRow, handler: (message: unknown) => Promise<void> | void): Promise<void> {
    inFlight.add(row.id);
    const renew = setInterval(() => {
      table
        .renew(row.id, Date.now() + leaseMs)
        .catch((error: unknown) => logger.warn("queue: could not renew a lease", { id: row.id, error: String(error) }));
    }, leaseMs / 3);
    try {
      let failure: { error: unknown } | null = null;
      try {
        const message = await withPrivateKeys(JSON.parse(row.message), row.id);
        if (message !== DROPPED) await handler(message);
      } catch (error) {
        failure = { error };
      }
      if (!failure) {
        await table.remove(row.id);
        return;
      }
      const attempts = row.attempts + 1;
      const delayMs = Math.min(retryBaseMs * 2 ** row.attempts, retryCapMs);
      logger.warn("queue: handler failed; will retry", {
        id: row.id,
        attempts,
        retryInMs: delayMs,
        error: String(failure.error),
      });
      await table.retry(row.id, attempts, Date.now() + delayMs, String(failure.error).slice(0, 2000));
    } catch (error) {
      // The row keeps its lease and is handled again once it expires: at least once, never lost.
      logger.error("queue: could not record a handled message", { id: row.id, error: String(error) });
    } finally {
      clearInterval(renew);
      inFlight.delete(row.id);
    }
  }

  async function run(handler: (message: unknown) => Promise<void> | void, signal: AbortSignal): Promise<void> {
    const running = new Set<Promise<void>>();
    while (!signal.aborted) {
      const seen = wakeups;
      const free = workers - running.size;
      let claimed: ClaimedRow[] = [];
      if (free > 0) {
        try {
          claimed = await claim(free);
        } catch (error) {
          logger.error("queue: polling failed", { error: String(error) });
        }
      }
      if (signal.aborted) {
        await release(claimed.map((r) => r.id)).catch(() => {}); // otherwise they wait for their lease to pass
        break;
      }
      for (const row of claimed) {
        if (inFlight.has(row.id)) continue;
        const task: Promise<void> = handle(row, handler).finally(() => {
          running.delete(task);
          wake();
        });
        running.add(task);
      }
      // A full batch suggests more are due: claim again once a worker is free.
      if (free > 0 && claimed.length === free) continue;
      if (wakeups === seen) await sleep(pollIntervalMs, signal);
    }
    await Promise.all(running);
  }

  return {
    enqueue(message: unknown, enqueueOptions?: MessageQueueEnqueueOptions): Promise<void> {
      return insert([message], enqueueOptions);
    },

    enqueueMany(messages: readonly unknown[], enqueueOptions?: MessageQueueEnqueueOptions): Promise<void> {
      return insert(messages, enqueueOptions);
    },

    async listen(
      handler: (message: unknown) => Promise<void> | void,
      listenOptions?: MessageQueueListenOptions,
    ): Promise<void> {
      const signals = [closing.signal];
      if (listenOptions?.signal) signals.push(listenOptions.signal);
      const signal = AbortSignal.any(signals);
      if (signal.aborted) return;
      scrubbed ??= scrubStoredKeys().catch((error: unknown) =>
        logger.error("queue: could not remove private keys from stored deliveries", { error: String(error) }),
      );
      await scrubbed;
      // Enqueues by other processes on the same database wake this loop too.
      const unsubscribe = notificationsOf(orm).subscribe("wego_queue", wake);
      const loop = run(handler, signal);
      listeners.add(loop);
      try {
        await loop;
      } finally {
        listeners.delete(loop);
        unsubscribe();
      }
    },

    depth(): Promise<number> {
      return table.count();
    },

    releaseOrphanedLeases(): Promise<number> {
      return table.release(null);
    },

    async close(): Promise<void> {
      closing.abort();
      await Promise.all(listeners);
    },
  };
}
