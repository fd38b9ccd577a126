import type { Federation } from "@fedify/fedify";
import { Announce, Create, Delete, PUBLIC_COLLECTION, Update } from "@fedify/fedify/vocab";
import type { Orm } from "../db/orm.ts";
import { createMetaStore } from "../db/meta-store.ts";
import { createLocalFeed } from "../library/feed.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { Library } from "../library/library.ts";
import type { Logger } from "../log.ts";
import type { PeeringRefusal } from "./peering.ts";
import type { PeerStore } from "../db/peer-store.ts";
import { type RunOnceLocks, singleProcessLocks } from "../db/run-once.ts";
import { toArticle, toTombstone } from "./vocab.ts";
import type { CaseOrigins } from "./case-origin.ts";

// Publishing: every committed local version, in order, exactly once into the delivery
// queue for our followers (an Adoption also to the city whose case it adopts); and
// relaying (Announce) an item an admin picks.

/** Options of {@link createPublisher}. */
export interface PublisherOptions {
  readonly federation: Federation<void>;
  readonly orm: Orm;
  readonly library: Library;
  readonly peers: PeerStore;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
  /** Finds the city of an adopted case, which hears of the adoption even if it does not follow us. */
  readonly caseOrigins?: CaseOrigins;
  /**
   * The locks shared by the processes on this database: only the process holding
   * {@link PUBLISHER_LOCK} moves the watermark (default: this process is the only one).
   */
  readonly locks?: RunOnceLocks;
  /**
   * How often, in ms, the publisher looks for versions committed by other processes, and a
   * process that is not the publisher tries to become it (default 1 000; only when the locks
   * are PostgreSQL's: on SQLite every change is this process's own and wakes it at once).
   */
  readonly pollIntervalMs?: number;
}

/** Outcome of relaying an item: the id of the item announced. */
export type AnnounceResult = { readonly ok: true; readonly item: string } | PeeringRefusal;

/** Hands the library's local changes to the followers' delivery queue. */
export interface Publisher {
  /** Starts publishing what was committed since the last run (all of it is "sent" while nobody follows). */
  start(): Promise<void>;
  /** Relays an item this node holds (its own or a peer's) to our followers. */
  announce(itemId: string): Promise<AnnounceResult>;
  /** Resolves when every committed local change is in the queue. */
  flushed(): Promise<void>;
  /** Stops listening to the library and waits for the running hand-over. */
  close(): Promise<void>;
}

const SENT_SEQ_KEY = "federation.sentSeq";

/** The lock of the process that publishes: one among all that share the database. */
export const PUBLISHER_LOCK = "publisher";

/** Builds the publisher; it listens to the library's changes at once. */
export function createPublisher(options: PublisherOptions): Publisher {
  const { federation, orm, library, peers, identity, logger } = options;
  const actorId = new URL(identity.actorId);
  const sender = { identifier: identity.city };
  const context = () => federation.createContext(new URL(identity.origin), undefined);
  let draining: Promise<void> | null = null;
  let drainAgain = false;
  let poller: NodeJS.Timeout | undefined;
  const locks = options.locks ?? singleProcessLocks();
  const isPublisher = () => locks.hold(PUBLISHER_LOCK);

  const feed = createLocalFeed(orm);
  const meta = createMetaStore(orm);
  const sentSeq = async () => Number((await meta.get(SENT_SEQ_KEY)) ?? 0);
  const setSentSeq = (seq: number) => meta.set(SENT_SEQ_KEY, String(seq));

  async function drainOnce(): Promise<void> {
    let seq = await sentSeq();
    for (;;) {
      const rows = await feed.versionsAfter(seq, 200);
      if (rows.length === 0) return;
      const followers = await peers.followers();
      const ctx = context();
      for (const row of rows) {
        const { item } = row;
        const origin = (await options.caseOrigins?.recipientFor(ctx, item)) ?? null;
        if (followers.length > 0 || origin) {
          const addresses = { actorId, followersId: ctx.getFollowersUri(identity.city) };
          const activityId = new URL(
            `${item.id}#v${item.version}-${item.deleted ? "delete" : item.version === 1 ? "create" : "update"}`,
          );
          const common = { id: activityId, actor: actorId, tos: [PUBLIC_COLLECTION], ccs: [addresses.followersId] };
          const activity = item.deleted
            ? new Delete({ ...common, object: toTombstone(item) })
            : item.version === 1
              ? new Create({ ...common, object: toArticle(item, addresses) })
              : new Update({ ...common, object: toArticle(item, addresses) });
          if (followers.length > 0) await ctx.sendActivity(sender, "followers", activity, { preferSharedInbox: true });
          // The case's city hears of it directly unless it follows us (then the line above reached it).
          if (origin && !followers.some((f) => f.actorId === origin.id?.href))
            await ctx.sendActivity(sender, origin, activity, { preferSharedInbox: true });
        }
        seq = row.seq;
        // A crash before this line re-sends the activity on restart; receivers drop the
        // duplicate by its id and version, so every peer still applies it exactly once.
        await setSentSeq(seq);
      }
    }
  }

  function drain(): Promise<void> {
    if (draining) {
      drainAgain = true;
      return draining;
    }
    draining = (async () => {
      try {
        do {
          drainAgain = false;
          // Another process holds the watermark: it sends this change (it polls for versions committed elsewhere).
          if (!(await isPublisher())) return;
          await drainOnce();
        } while (drainAgain);
      } catch (error) {
        logger.error("publishing to followers failed; will retry on the next change", {
          error: String((error as Error)?.stack ?? error),
        });
      } finally {
        draining = null;
      }
    })();
    return draining;
  }

  const unsubscribe = library.subscribe((changes) => {
    if (changes.some((c) => c.kind === "deleted" || c.item.local)) void drain();
  });

  return {
    async start() {
      if ((await isPublisher()) && (await peers.followers()).length === 0) {
        // Nobody to deliver to yet: followers that come later import the outbox instead.
        await setSentSeq(await feed.lastSeq());
      }
      void drain();
      if (locks.database === "postgres") {
        // Versions committed by the other processes reach this one by polling; a process that
        // is not the publisher takes over within one interval of the publisher's death.
        poller = setInterval(() => void drain(), options.pollIntervalMs ?? 1_000);
        poller.unref();
      }
    },

    async announce(itemId) {
      const item = await library.get(itemId);
      if (!item || item.deleted) return { ok: false, status: 404, reason: "no such item" };
      const ctx = context();
      const followersId = ctx.getFollowersUri(identity.city);
      await ctx.sendActivity(
        sender,
        "followers",
        new Announce({
          id: new URL(`${identity.actorId}#announces/${encodeURIComponent(item.id)}/v${item.version}`),
          actor: actorId,
          object: toArticle(item, { actorId: new URL(String(item.document.attributedTo)), followersId }),
          tos: [PUBLIC_COLLECTION],
          ccs: [followersId],
        }),
        { preferSharedInbox: true },
      );
      return { ok: true, item: item.id };
    },

    async flushed() {
      while (draining) await draining;
    },

    async close() {
      unsubscribe();
      if (poller) clearInterval(poller);
      await Promise.allSettled([draining]);
      await locks.release(PUBLISHER_LOCK);
    },
  };
}
