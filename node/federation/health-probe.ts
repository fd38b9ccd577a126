import type { DocumentLoader } from "@fedify/fedify/runtime";
import type { PeerStore } from "../db/peer-store.ts";
import { type RunOnceLocks, singleProcessLocks } from "../db/run-once.ts";
import type { Logger } from "../log.ts";
import {
  classifyContactError,
  contactErrorMessage,
  parseContactErrorMessage,
  UNREACHABLE_KINDS,
} from "./contact-errors.ts";

/** Whether a peer's last error says it could not be reached at all. */
function unreachable(lastError: string | null): boolean {
  const failure = lastError ? parseContactErrorMessage(lastError) : null;
  return !!failure && UNREACHABLE_KINDS.has(failure.kind);
}

// A quiet peer is contacted by nothing: a city that only follows us hears from us when we
// publish, and one we follow is read at the catch-up every 15 minutes. Without a contact its
// health would stay whatever the last one said, for hours. The probe reads the actor
// document of each established peer that has been quiet for a while (one small GET through
// the outbound guard, bounded in number, concurrency and time), and of each unreachable
// peer every minute, so that one that came back shows healthy without waiting for a retry.

/** Options of {@link createHealthProbe}. */
export interface HealthProbeOptions {
  readonly peers: PeerStore;
  /** Reads an actor document (the node's fresh loader: through the guard, 10 s, 1 MiB). */
  readonly loadDocument: DocumentLoader;
  readonly logger: Logger;
  /** How often the probe looks for peers to contact, in ms (default 60 s). */
  readonly intervalMs?: number;
  /** A healthy peer is probed after this long without a contact, in ms (default 5 minutes). */
  readonly quietAfterMs?: number;
  /** Peers contacted in one look at most (default 50); the rest wait for the next. */
  readonly maxPerTick?: number;
  /** Probes in flight at once (default 4). */
  readonly concurrency?: number;
  /** The locks shared by the processes on this database: a look holds `health-probe`, so one process probes at a time (default: this process is the only one). */
  readonly locks?: RunOnceLocks;
}

/** The periodic health probe of established peers. */
export interface HealthProbe {
  /** Starts looking every interval (the timer does not keep the process alive). */
  start(): void;
  /** Probes the peers that are due now; resolves with the actors contacted. */
  tick(): Promise<string[]>;
  /** Stops the timer and waits for a look in progress. */
  close(): Promise<void>;
}

/** Builds the health probe. */
export function createHealthProbe(options: HealthProbeOptions): HealthProbe {
  const { peers, logger } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const quietAfterMs = options.quietAfterMs ?? 5 * 60_000;
  const maxPerTick = options.maxPerTick ?? 50;
  const concurrency = options.concurrency ?? 4;
  const locks = options.locks ?? singleProcessLocks();
  /** When each actor was last probed: a peer that stays down is not probed more than once an interval. */
  const probedAt = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<string[]> | null = null;

  async function probe(actorId: string): Promise<void> {
    try {
      await options.loadDocument(actorId);
      await peers.touch(actorId);
    } catch (error) {
      const failure = classifyContactError(error);
      // An actor behind authorized fetch answers 401 or 403 to an unsigned read: it is up.
      if (failure.kind === "http" && (failure.status === 401 || failure.status === 403)) {
        await peers.touch(actorId);
        return;
      }
      const message = contactErrorMessage(failure, "actor");
      logger.info("a peer failed its health probe", { actor: actorId, reason: message });
      await peers.recordError(new URL(actorId).host, message);
    }
  }

  async function look(): Promise<string[]> {
    const now = Date.now();
    const due = (await peers.list({}))
      .filter((p) => p.actor && (p.state === "following" || p.state === "followed" || p.state === "mutual"))
      .filter((p) => {
        const probed = probedAt.get(p.actor) ?? 0;
        // A reachable actor proves a peer reachable, not that its outbox or inbox works:
        // a peer that answered wrongly waits for the next real contact of that kind.
        if (p.failingSince) return unreachable(p.lastError) && now - probed >= intervalMs;
        const seen = p.lastSeen ? Date.parse(p.lastSeen) : 0;
        return now - Math.max(seen, probed) >= quietAfterMs;
      })
      .slice(0, maxPerTick)
      .map((p) => p.actor);
    for (const actor of due) probedAt.set(actor, now);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, due.length) }, async () => {
        while (next < due.length) await probe(due[next++]!);
      }),
    );
    return due;
  }

  function tick(): Promise<string[]> {
    // One look at a time: a slow one (peers timing out) is not overlapped by the next.
    // Another process on the same database may be looking: then this tick is its.
    running ??= locks
      .run("health-probe", look)
      .then((outcome) => (outcome.ran ? outcome.value : []))
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    start() {
      timer = setInterval(() => {
        void tick().catch((error: unknown) =>
          logger.warn("the health probe failed", { error: String((error as Error)?.message ?? error) }),
        );
      }, intervalMs);
      timer.unref();
    },
    tick,
    async close() {
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
