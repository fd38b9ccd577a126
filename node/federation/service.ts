import type { Federation, KvStore, MessageQueue } from "@fedify/fedify";
import {
  Create,
  Delete,
  Follow,
  isActor,
  PUBLIC_COLLECTION,
  Reject,
  Accept,
  Announce,
  Undo,
  Update,
  type Actor,
} from "@fedify/fedify/vocab";
import type { Orm } from "../db/orm.ts";
import { Meta } from "../db/entities.ts";
import { selectLocalVersionsAfter } from "../db/queries.ts";
import { toStored, type Library, type NodeIdentity } from "../library/library.ts";
import type { DocumentValidator } from "../library/validation.ts";
import type { Logger } from "../log.ts";
import { createActorKeys } from "./actor-keys.ts";
import { announceActorKeys } from "./actor-update.ts";
import { actorInfoOf, unusableActor } from "./actors.ts";
import type { FederationDeps } from "./deps.ts";
import { createWegoFederation } from "./federation.ts";
import { ingestJsonObject } from "./ingest.ts";
import { createJwksCache } from "./jwks-cache.ts";
import { createDocumentLoaders } from "./document-loader.ts";
import { createInboxDoor, type InboxDoor } from "./inbox-door.ts";
import { resolveHandle } from "./webfinger.ts";
import type { Outbound } from "../net/outbound.ts";
import { createPeerStore, hostOf, type PeerView } from "./peers.ts";
import { linkHref, toArticle, toTombstone } from "./vocab.ts";

/** Options of {@link createFederationService}. */
export interface FederationServiceOptions {
  readonly orm: Orm;
  readonly library: Library;
  readonly validator: DocumentValidator;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
  readonly kv: KvStore;
  readonly queue: MessageQueue;
  /** The node's one door out: every fetch federation makes goes through it. */
  readonly outbound: Outbound;
  readonly manuallyApprovesFollowers?: boolean;
  readonly allowlist?: readonly string[] | null;
  /** Activities one host may deliver to the inboxes per second, sustained (default 50). */
  readonly inboxRatePerSecond?: number;
  /** Items per outbox page (default 100). */
  readonly pageSize?: number;
  /**
   * How often to catch up with every followed peer by reading the newest pages of its
   * outbox (default 15 minutes): what heals deliveries a peer gave up on while we were
   * unreachable.
   */
  readonly catchUpIntervalMs?: number;
  /** Bounds on one backfill run of a peer's outbox (defaults in {@link BackfillLimits}). */
  readonly backfillLimits?: BackfillLimits;
}

/**
 * Bounds on one backfill run, so that an outbox that loops, never ends or lists too much
 * costs a known amount of work. The defaults fit the network's aim, a peer of up to
 * ~100,000 items read 100 a page, with room to grow. A run that reaches a bound ends as
 * `failed` with the reason as the peer's `lastError`; after that only the next periodic
 * catch-up (or an admin's resync) walks that outbox again.
 */
export interface BackfillLimits {
  /** Outbox pages read in one run (default 1,500). */
  readonly maxPages?: number;
  /** Entries read in one run, over all its pages (default 150,000). */
  readonly maxItems?: number;
  /** Entries read from one page; a page listing more ends the run (default the larger of 500 and 2 × pageSize). */
  readonly maxEntriesPerPage?: number;
}

/** Default {@link BackfillLimits} (entries per page: the larger of this and 2 × pageSize). */
export const DEFAULT_BACKFILL_LIMITS = { maxPages: 1_500, maxItems: 150_000, maxEntriesPerPage: 500 } as const;

/** Longest page link followed: the visited set and the stored cursor hold these. */
const MAX_PAGE_URL_LENGTH = 2_048;

/** A backfill run reached one of its bounds: ends the run and holds the peer back. */
class BackfillLimitError extends Error {
  override name = "BackfillLimitError";
  constructor(
    message: string,
    readonly limit: "loop" | "pages" | "items" | "entries-per-page" | "link",
  ) {
    super(message);
  }
}

/** Outcome of an admin's peering action. */
export type PeerActionResult = { readonly ok: true; readonly actor: string; readonly state?: string } | { readonly ok: false; readonly status: 400 | 403 | 404 | 409 | 502; readonly reason: string };

/** Federation as the rest of the node sees it: the Fedify app plus peering operations. */
export interface FederationService {
  readonly federation: Federation<void>;
  /** The checks every inbox POST passes before Fedify sees it. */
  readonly door: InboxDoor;
  /** Starts the delivery queue, the publisher, and the catch-up of followed peers. */
  start(): Promise<void>;
  close(): Promise<void>;
  list(): Promise<PeerView[]>;
  follow(target: string): Promise<PeerActionResult>;
  approve(actorId: string): Promise<PeerActionResult>;
  reject(actorId: string): Promise<PeerActionResult>;
  unfollow(actorId: string): Promise<PeerActionResult>;
  block(host: string): Promise<PeerActionResult>;
  unblock(host: string): Promise<PeerActionResult>;
  resync(actorId: string): Promise<PeerActionResult>;
  /** Relays an item this node holds (its own or a peer's) to our followers. */
  announce(itemId: string): Promise<PeerActionResult>;
  /** Resolves when the publisher has handed every committed local change to the queue. */
  flushed(): Promise<void>;
}

const SENT_SEQ_KEY = "federation.sentSeq";

/** Builds the federation and the peering, publishing and backfill around it. */
export function createFederationService(options: FederationServiceOptions): FederationService {
  const { orm, library, identity, logger } = options;
  const peers = createPeerStore(orm);
  const loadKeys = createJwksCache({ outbound: options.outbound });
  const loaders = createDocumentLoaders({ outbound: options.outbound, userAgent: `WeGO-Exchange/0.1 (+${identity.origin}/)` });
  const actorKeys = createActorKeys(orm);
  const actorId = new URL(identity.actorId);
  const abort = new AbortController();
  const backfills = new Map<string, Promise<void>>();
  let federation!: Federation<void>;
  let catchUp: NodeJS.Timeout | undefined;

  const context = () => federation.createContext(new URL(identity.origin), undefined);

  const deps: FederationDeps = {
    library,
    validator: options.validator,
    peers,
    loadKeys,
    identity,
    logger,
    city: identity.city,
    actorId,
    manuallyApprovesFollowers: options.manuallyApprovesFollowers ?? true,
    allowlist: options.allowlist ?? null,
    forgetActorKeys: (actor, keyIds) => door.forget(actor, keyIds),
    approve: (id) => approve(id),
    // Started by a peer's own activity (an Accept): held back after a run that failed.
    startBackfill: (id, mode) => startBackfill(id, mode, "peer"),
  };

  federation = createWegoFederation({
    deps,
    orm,
    kv: options.kv,
    queue: options.queue,
    actorKeys,
    loaders,
    pageSize: options.pageSize,
    onDeliveryError: (_inbox, error) => {
      // Fedify names the inbox in its message ("Failed to send activity … to <inbox> …"):
      // the peer on that host is marked with the error; its next success clears it.
      const inbox = /\bto (https?:\/\/\S+)/.exec(error.message)?.[1];
      logger.warn("delivery failed; Fedify retries with backoff", { inbox: inbox ?? null, error: error.message.slice(0, 300) });
      if (inbox && URL.canParse(inbox)) void peers.recordError(new URL(inbox).host, error.message).catch(() => {});
    },
  });

  const allowlist = options.allowlist ?? null;
  const door = createInboxDoor({
    documentLoader: loaders.documentLoader,
    keyLoader: loaders.freshLoader,
    contextLoader: loaders.contextLoader,
    forget: loaders.forget,
    logger,
    ratePerSecond: options.inboxRatePerSecond,
    async refuseHost(host) {
      if (await peers.isBlocked(host)) return `${host} is blocked`;
      if (allowlist && !allowlist.includes(host)) return `${host} is not on the allowlist`;
      return null;
    },
  });

  // --- publishing: every committed local version, in order, exactly once into the queue ---

  let draining: Promise<void> | null = null;
  let drainAgain = false;

  async function sentSeq(): Promise<number> {
    const row = await orm.em.fork().findOne(Meta, { key: SENT_SEQ_KEY });
    return row ? Number(row.value) : 0;
  }

  async function setSentSeq(seq: number): Promise<void> {
    await orm.em.getKnex().raw("insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value", [SENT_SEQ_KEY, String(seq)]);
  }

  async function drainOnce(): Promise<void> {
    let seq = await sentSeq();
    for (;;) {
      const rows = await selectLocalVersionsAfter(orm.em.fork(), seq, 200);
      if (rows.length === 0) return;
      const followers = await peers.followers();
      const ctx = context();
      for (const row of rows) {
        if (followers.length > 0) {
          const item = toStored({ ...row.item, version: row.version.version, deleted: row.item.deleted && row.version.version === row.item.version }, row.version);
          const addresses = { actorId, followersId: ctx.getFollowersUri(identity.city) };
          const activityId = new URL(`${item.id}#v${item.version}-${item.deleted ? "delete" : item.version === 1 ? "create" : "update"}`);
          const common = { id: activityId, actor: actorId, tos: [PUBLIC_COLLECTION], ccs: [addresses.followersId] };
          const activity = item.deleted
            ? new Delete({ ...common, object: toTombstone(item) })
            : item.version === 1
              ? new Create({ ...common, object: toArticle(item, addresses) })
              : new Update({ ...common, object: toArticle(item, addresses) });
          await ctx.sendActivity({ identifier: identity.city }, "followers", activity, { preferSharedInbox: true });
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
          await drainOnce();
        } while (drainAgain);
      } catch (error) {
        logger.error("publishing to followers failed; will retry on the next change", { error: String((error as Error)?.stack ?? error) });
      } finally {
        draining = null;
      }
    })();
    return draining;
  }

  const unsubscribe = library.subscribe((changes) => {
    if (changes.some((c) => c.kind === "deleted" || c.item.local)) void drain();
  });

  // --- backfill: import a followed peer's library from its outbox, resumably ---

  const catchUpIntervalMs = options.catchUpIntervalMs ?? 15 * 60_000;
  const pageSize = options.pageSize ?? 100;
  const limits = {
    maxPages: options.backfillLimits?.maxPages ?? DEFAULT_BACKFILL_LIMITS.maxPages,
    maxItems: options.backfillLimits?.maxItems ?? DEFAULT_BACKFILL_LIMITS.maxItems,
    maxEntriesPerPage: options.backfillLimits?.maxEntriesPerPage ?? Math.max(DEFAULT_BACKFILL_LIMITS.maxEntriesPerPage, 2 * pageSize),
  };
  /** Who asked for a run: the periodic catch-up (and start-up), an admin, or a peer's activity. */
  type BackfillTrigger = "schedule" | "admin" | "peer";
  /** Runs that failed (on a limit or otherwise), by peer: when they started and who started them. */
  const failedRuns = new Map<string, { readonly startedAt: number; readonly trigger: BackfillTrigger }>();

  /**
   * Whether a run may start now. After a run failed (a limit, or the peer's own fault),
   * one catch-up interval passes before the next one, so a peer whose outbox loops costs
   * at most one run's budget per interval however often it sends an Accept; the catch-up
   * ticks are one interval apart already, and an admin may always resync.
   */
  function mayStartBackfill(peerId: string, trigger: BackfillTrigger): boolean {
    if (trigger === "admin") return true;
    const last = failedRuns.get(peerId);
    if (!last || Date.now() - last.startedAt >= catchUpIntervalMs) return true;
    return trigger === "schedule" && last.trigger === "schedule";
  }

  function startBackfill(peerId: string, mode: "full" | "incremental", trigger: BackfillTrigger = "schedule"): void {
    if (backfills.has(peerId) || abort.signal.aborted) return;
    if (!mayStartBackfill(peerId, trigger)) {
      logger.info("backfill held back until the next catch-up: the last run failed", { peer: peerId, mode });
      return;
    }
    const startedAt = Date.now();
    const run = backfill(peerId, mode)
      .then((outcome) => {
        if (outcome === "limited" || outcome === "failed") failedRuns.set(peerId, { startedAt, trigger });
        else if (outcome === "done") failedRuns.delete(peerId);
      })
      .finally(() => backfills.delete(peerId));
    backfills.set(peerId, run);
  }

  /** The key of a page URL in a run's visited set (fragments name the same document). */
  function pageKey(url: URL): string {
    const key = new URL(url);
    key.hash = "";
    return key.href;
  }

  /** The URL a link property holds (a string, or an object with an `id`), or null. */
  function linkOf(value: unknown): URL | null {
    const href = linkHref(value);
    if (href === null) return null;
    if (href.length > MAX_PAGE_URL_LENGTH) throw new BackfillLimitError(`an outbox link is longer than ${MAX_PAGE_URL_LENGTH} characters`, "link");
    return URL.canParse(href) ? new URL(href) : null;
  }

  async function backfill(peerId: string, mode: "full" | "incremental"): Promise<"done" | "failed" | "limited" | "skipped"> {
    const peer = await peers.get(peerId);
    if (!peer?.outbox || peer.weFollow !== "accepted") return "skipped";
    const ctx = context();
    const documentLoader = await ctx.getDocumentLoader({ identifier: identity.city });
    const ingestDeps = { library, validator: options.validator, peers, loadKeys, identity, logger, allowlist: options.allowlist ?? null };
    const peerOrigin = new URL(peerId).origin;
    const resume = mode === "full" && peer.backfillState === "running" && peer.backfillCursor;
    let done = resume ? peer.backfillDone : 0;
    let pageUrl: URL | null = resume ? new URL(peer.backfillCursor!) : null;
    const visited = new Set<string>();
    let pagesRead = 0;
    let entriesRead = 0;

    // Documents are read as plain JSON, not through JSON-LD processing: every item
    // carries its signed document, and the origin's signature is what decides.
    async function readJson(url: URL): Promise<Record<string, unknown>> {
      if (url.origin !== peerOrigin) throw new Error(`the outbox left the peer's origin (${url.href})`);
      const loaded = await documentLoader(url.href);
      // A redirect must not carry the walk to another origin either.
      if (URL.canParse(loaded.documentUrl) && new URL(loaded.documentUrl).origin !== peerOrigin) throw new Error(`the outbox left the peer's origin (${loaded.documentUrl})`);
      const document = loaded.document;
      if (!document || typeof document !== "object" || Array.isArray(document)) throw new Error(`${url.href} is not a JSON object`);
      return document as Record<string, unknown>;
    }

    try {
      if (!pageUrl) {
        const outbox = await readJson(new URL(peer.outbox));
        if (outbox.type !== "OrderedCollection" && outbox.type !== "Collection") throw new Error(`${peer.outbox} is not an OrderedCollection`);
        pageUrl = linkOf(outbox.first);
        const total = Number.isSafeInteger(outbox.totalItems) && (outbox.totalItems as number) >= 0 ? (outbox.totalItems as number) : 0;
        await peers.update(peerId, { backfillState: "running", backfillDone: 0, backfillTotal: total, backfillCursor: pageUrl?.href ?? null });
      }
      let unchangedRun = 0;
      while (pageUrl && !abort.signal.aborted) {
        const key = pageKey(pageUrl);
        if (visited.has(key)) throw new BackfillLimitError(`the outbox links back to a page already read in this run (a loop at ${pageUrl.href})`, "loop");
        if (pagesRead >= limits.maxPages) throw new BackfillLimitError(`read ${limits.maxPages} outbox pages in one run, the limit; the walk stopped at ${pageUrl.href}`, "pages");
        visited.add(key);
        pagesRead++;
        const page = await readJson(pageUrl);
        const listed = page.orderedItems ?? page.items ?? [];
        const entries = (Array.isArray(listed) ? listed : [listed]) as unknown[];
        if (entries.length > limits.maxEntriesPerPage) {
          throw new BackfillLimitError(`the outbox page ${pageUrl.href} lists ${entries.length} entries, more than the ${limits.maxEntriesPerPage} read from one page`, "entries-per-page");
        }
        if (entriesRead + entries.length > limits.maxItems) throw new BackfillLimitError(`read ${entriesRead} outbox entries in one run, and the limit is ${limits.maxItems}; the walk stopped at ${pageUrl.href}`, "items");
        entriesRead += entries.length;
        // Create and Update carry an item's signed version, Delete its signed Tombstone:
        // all go through the same verification, and the newest signed version wins.
        const objects = entries
          .filter((a): a is { type: string; object: object } => {
            const entry = a as { type?: unknown; object?: unknown } | null;
            return (entry?.type === "Create" || entry?.type === "Update" || entry?.type === "Delete") && !!entry.object && typeof entry.object === "object";
          })
          .map((a) => a.object);
        // Verified together, so the library commits the whole page in one transaction.
        const outcomes = await Promise.all(objects.map((object) => ingestJsonObject(ingestDeps, object, new URL(peerId))));
        for (const outcome of outcomes) {
          done++;
          unchangedRun = outcome.ok && outcome.status === "unchanged" ? unchangedRun + 1 : 0;
        }
        pageUrl = linkOf(page.next);
        await peers.update(peerId, { backfillDone: done, backfillCursor: pageUrl?.href ?? null, lastSeen: new Date().toISOString() });
        // Catching up: once a whole page is already held, the rest is older and held too.
        if (mode === "incremental" && unchangedRun >= pageSize) break;
      }
      // Interrupted by shutdown: the cursor stays, and the next start resumes from it.
      if (abort.signal.aborted) return "skipped";
      await peers.update(peerId, { backfillState: "done", backfillCursor: null, backfillDone: done });
      logger.info("backfill finished", { peer: peerId, mode, items: done, pages: pagesRead });
      return "done";
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      await peers.update(peerId, { backfillState: "failed", lastError: `backfill: ${message}`, lastErrorAt: new Date().toISOString() });
      logger.warn("backfill failed", { peer: peerId, error: message, pages: pagesRead, entries: entriesRead, limit: error instanceof BackfillLimitError ? error.limit : null });
      return error instanceof BackfillLimitError ? "limited" : "failed";
    }
  }

  // --- peering operations (admins) ---

  async function lookupActor(target: string): Promise<Actor | null> {
    const ctx = context();
    const documentLoader = await ctx.getDocumentLoader({ identifier: identity.city });
    // A handle is resolved by the node's own WebFinger client, through the outbound guard.
    const url = URL.canParse(target.trim()) && /^https?:/.test(target.trim()) ? target.trim() : await resolveHandle(options.outbound, target);
    if (!url) return null;
    const object = await ctx.lookupObject(url, { documentLoader }).catch((error: unknown) => {
      logger.info("could not look up an actor", { target, error: String((error as Error)?.message ?? error) });
      return null;
    });
    return isActor(object) ? object : null;
  }

  async function approve(peerId: string): Promise<PeerActionResult> {
    const peer = await peers.get(peerId);
    if (!peer || !peer.theirFollowId) return { ok: false, status: 404, reason: "no follow request from this actor" };
    if (await peers.isBlocked(peer.host)) return { ok: false, status: 403, reason: `${peer.host} is blocked` };
    const ctx = context();
    const follow = new Follow({ id: new URL(peer.theirFollowId), actor: new URL(peer.actorId), object: actorId });
    await ctx.sendActivity(
      { identifier: identity.city },
      { id: new URL(peer.actorId), inboxId: peer.inbox ? new URL(peer.inbox) : null, endpoints: null },
      new Accept({ id: new URL(`${identity.actorId}#accepts/${encodeURIComponent(peer.theirFollowId)}`), actor: actorId, object: follow }),
    );
    await peers.update(peerId, { theyFollow: "accepted" });
    logger.info("approved a follower", { actor: peerId });
    return { ok: true, actor: peerId, state: "accepted" };
  }

  return {
    federation,
    door,

    async start() {
      void federation.startQueue(undefined, { signal: abort.signal });
      await actorKeys();
      await announceActorKeys({ federation, orm, identity, logger });
      if ((await peers.followers()).length === 0) {
        // Nobody to deliver to yet: followers that come later import the outbox instead.
        const max = (await orm.em.getKnex().raw("select coalesce(max(seq), 0) as m from item_versions")) as { m: number }[];
        await setSentSeq(Number(max[0]?.m ?? 0));
      }
      void drain();
      // Catch up with every followed peer: resumes interrupted imports, fetches what we
      // missed while down.
      for (const peer of await peers.following()) {
        startBackfill(peer.actorId, peer.backfillState === "running" ? "full" : "incremental");
      }
      catchUp = setInterval(() => {
        void peers.following().then((list) => list.forEach((p) => startBackfill(p.actorId, "incremental")));
      }, options.catchUpIntervalMs ?? 15 * 60_000);
      catchUp.unref();
    },

    async close() {
      if (catchUp) clearInterval(catchUp);
      abort.abort();
      unsubscribe();
      await Promise.allSettled([draining, ...backfills.values()]);
    },

    async list() {
      return peers.list(await library.countByOrigin());
    },

    async follow(target) {
      const actor = await lookupActor(target);
      if (!actor?.id) return { ok: false, status: 404, reason: `no ActivityPub actor found at ${target}` };
      const unusable = unusableActor(actor);
      if (unusable) return { ok: false, status: 400, reason: unusable };
      if (actor.id.origin === identity.origin) return { ok: false, status: 400, reason: "a node cannot follow itself" };
      const host = hostOf(actor.id.href);
      if (await peers.isBlocked(host)) return { ok: false, status: 403, reason: `${host} is blocked` };
      if (options.allowlist && !options.allowlist.includes(host)) return { ok: false, status: 403, reason: `${host} is not on the allowlist` };
      await peers.remember(actorInfoOf(actor));
      const followId = new URL(`${identity.actorId}#follows/${crypto.randomUUID()}`);
      await context().sendActivity({ identifier: identity.city }, actor, new Follow({ id: followId, actor: actorId, object: actor.id }));
      const current = await peers.get(actor.id.href);
      // Following again after an accepted follow keeps the accepted state.
      if (current?.weFollow !== "accepted") await peers.update(actor.id.href, { weFollow: "requested", ourFollowId: followId.href });
      logger.info("asked to follow a peer", { actor: actor.id.href });
      return { ok: true, actor: actor.id.href, state: current?.weFollow === "accepted" ? "accepted" : "requested" };
    },

    approve,

    async reject(peerId) {
      const peer = await peers.get(peerId);
      if (!peer || !peer.theirFollowId) return { ok: false, status: 404, reason: "no follow request from this actor" };
      const follow = new Follow({ id: new URL(peer.theirFollowId), actor: new URL(peer.actorId), object: actorId });
      await context().sendActivity(
        { identifier: identity.city },
        { id: new URL(peer.actorId), inboxId: peer.inbox ? new URL(peer.inbox) : null, endpoints: null },
        new Reject({ id: new URL(`${identity.actorId}#rejects/${encodeURIComponent(peer.theirFollowId)}`), actor: actorId, object: follow }),
      );
      await peers.update(peerId, { theyFollow: "rejected", theirFollowId: null });
      return { ok: true, actor: peerId, state: "rejected" };
    },

    async unfollow(peerId) {
      const peer = await peers.get(peerId);
      if (!peer || peer.weFollow === "none") return { ok: false, status: 404, reason: "this node does not follow that actor" };
      if (peer.ourFollowId) {
        const follow = new Follow({ id: new URL(peer.ourFollowId), actor: actorId, object: new URL(peer.actorId) });
        await context().sendActivity(
          { identifier: identity.city },
          { id: new URL(peer.actorId), inboxId: peer.inbox ? new URL(peer.inbox) : null, endpoints: null },
          new Undo({ id: new URL(`${peer.ourFollowId}/undo`), actor: actorId, object: follow }),
        );
      }
      await peers.update(peerId, { weFollow: "none", ourFollowId: null });
      return { ok: true, actor: peerId, state: "none" };
    },

    async block(host) {
      const h = host.trim().toLowerCase();
      if (!/^[a-z0-9.-]+(:\d+)?$/.test(h)) return { ok: false, status: 400, reason: "host must be a host name, optionally with :port" };
      if (h === new URL(identity.origin).host) return { ok: false, status: 400, reason: "a node cannot block itself" };
      const affected = await peers.block(h);
      for (const peer of affected) {
        if (peer.weFollow === "accepted" || peer.weFollow === "requested") {
          await peers.update(peer.actorId, { weFollow: "none", ourFollowId: null });
        }
      }
      let purged = 0;
      for (const origin of Object.keys(await library.countByOrigin())) {
        if (new URL(origin).host === h) purged += await library.purgeOrigin(origin);
      }
      logger.info("blocked a host", { host: h, purgedItems: purged });
      return { ok: true, actor: h, state: "blocked" };
    },

    async unblock(host) {
      const done = await peers.unblock(host.trim());
      return done ? { ok: true, actor: host, state: "none" } : { ok: false, status: 404, reason: "that host is not blocked" };
    },

    async resync(peerId) {
      const peer = await peers.get(peerId);
      if (!peer || peer.weFollow !== "accepted") return { ok: false, status: 409, reason: "only a peer this node follows can be resynced" };
      await peers.update(peerId, { backfillState: "idle", backfillCursor: null });
      startBackfill(peerId, "full", "admin");
      return { ok: true, actor: peerId, state: "running" };
    },

    async announce(itemId) {
      const item = await library.get(itemId);
      if (!item || item.deleted) return { ok: false, status: 404, reason: "no such item" };
      const ctx = context();
      const followersId = ctx.getFollowersUri(identity.city);
      await ctx.sendActivity(
        { identifier: identity.city },
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
      return { ok: true, actor: item.id };
    },

    async flushed() {
      while (draining) await draining;
    },
  };
}
