import type { Federation, KvStore, MessageQueue } from "@fedify/fedify";
import type { Orm } from "../db/orm.ts";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { DocumentValidator } from "../library/validation.ts";
import type { Logger } from "../log.ts";
import type { Outbound } from "../net/outbound.ts";
import { createActorKeys } from "./actor-keys.ts";
import { classifyContactError, contactErrorMessage } from "./contact-errors.ts";
import { announceActorKeys } from "./actor-update.ts";
import { createBackfill, type BackfillLimits } from "./backfill.ts";
import { createDocumentLoaders } from "./document-loader.ts";
import { createHealthProbe } from "./health-probe.ts";
import { createWegoFederation } from "./federation.ts";
import { createOutboxEntries } from "./outbox-entries.ts";
import { createOutboxPages, type OutboxPages } from "./outbox-pages.ts";
import { createLocalFeed } from "../library/feed.ts";
import type { CityProfile } from "./city-actor.ts";
import { createInboxDoor, type InboxDoor } from "./inbox-door.ts";
import type { IngestDeps } from "./ingest.ts";
import { createJwksCache } from "./jwks-cache.ts";
import { createPeering, type HostActionResult, type PeerActionResult, type PeerHealthView } from "./peering.ts";
import { createPeerStore } from "../db/peer-store.ts";
import { createRunOnceLocks, type RunOnceLocks } from "../db/run-once.ts";
import { createShareStore } from "../db/share-store.ts";
import { sharedLimitsOf } from "../db/rate-limits.ts";
import { createPublisher, PUBLISHER_LOCK, type AnnounceResult } from "./publisher.ts";
import { createUnsolicitedGate } from "./unsolicited.ts";
import { createCaseOrigins } from "./case-origin.ts";

// The federation room's composition: the peer store and the parts the inbox handlers
// act through (backfill, peering) first, then the Fedify app that routes to them, then
// the publisher that sends through it. Construction runs one way; the facade below is
// what the rest of the node (HTTP, main) sees.

// The result types of the facade's operations, for its callers.
export type { AnnounceResult } from "./publisher.ts";
export type {
  HostActionResult,
  PeerActionResult,
  PeerHealth,
  PeerHealthView,
  PeeringRefusal,
  PeeringRefusalCode,
} from "./peering.ts";

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
  /** Bytes of outbox entries kept in memory (default 32 MiB; see {@link createOutboxEntries}). */
  readonly outboxCacheBytes?: number;
  /** What the city's fediverse profile shows besides its name. */
  readonly profile?: CityProfile;
  /** How often to catch up with every followed peer (default 15 minutes; see {@link createBackfill}). */
  readonly catchUpIntervalMs?: number;
  /** Bounds on one backfill run of a peer's outbox (defaults in {@link BackfillLimits}). */
  readonly backfillLimits?: BackfillLimits;
  /** A healthy peer nothing contacted for this long is probed (default 5 minutes; see {@link createHealthProbe}). */
  readonly probeQuietAfterMs?: number;
  /** The run-once locks of the processes sharing the database (default: made over `orm`, see db/run-once.ts). */
  readonly locks?: RunOnceLocks;
}

/** What `/healthz` tells of the work shared by several processes. */
export interface SharedWorkHealth {
  /** The database the node runs on. */
  readonly database: "sqlite" | "postgres";
  /** How many processes hold the publisher's lock now: 1 when the followers' deliveries flow (0 for a moment while another takes over). */
  readonly publisherLocks: number;
  /** Whether this process is the one holding it. */
  readonly publisher: boolean;
}

/** Federation as the rest of the node sees it: the Fedify app plus peering operations. */
export interface FederationService {
  readonly federation: Federation<void>;
  /** The checks every inbox POST passes before Fedify sees it. */
  readonly door: InboxDoor;
  /** The outbox's pages, served from kept entries ahead of Fedify. */
  readonly outboxPages: OutboxPages;
  /** Starts the delivery queue, the publisher, the catch-up of followed peers and the health probe. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Every peer and blocked host, with its health (see {@link PeerHealthView}). */
  list(): Promise<PeerHealthView[]>;
  follow(target: string): Promise<PeerActionResult>;
  approve(actorId: string): Promise<PeerActionResult>;
  reject(actorId: string): Promise<PeerActionResult>;
  unfollow(actorId: string): Promise<PeerActionResult>;
  block(host: string): Promise<HostActionResult>;
  unblock(host: string): Promise<HostActionResult>;
  resync(actorId: string): Promise<PeerActionResult>;
  /** Relays an item this node holds (its own or a peer's) to our followers. */
  announce(itemId: string): Promise<AnnounceResult>;
  /** Resolves when the publisher has handed every committed local change to the queue. */
  flushed(): Promise<void>;
  /** The database, and how many processes hold the publisher's lock. */
  sharedWork(): Promise<SharedWorkHealth>;
}

/** Builds the federation and the peering, publishing and backfill around it. */
export function createFederationService(options: FederationServiceOptions): FederationService {
  const { orm, library, identity, logger } = options;
  const allowlist = options.allowlist ?? null;
  const peers = createPeerStore(orm);
  // On PostgreSQL several processes serve the inbox: a host's rates are counted across all of them.
  const sharedLimits = sharedLimitsOf(orm);
  // The publisher's watermark, each peer's backfill and the health probe run in one process at a time.
  const locks = options.locks ?? createRunOnceLocks(orm);
  const loaders = createDocumentLoaders({
    outbound: options.outbound,
    userAgent: `WeGO-Exchange/0.1 (+${identity.origin}/)`,
  });
  const actorKeys = createActorKeys(orm);
  const ingest: IngestDeps = {
    library,
    validator: options.validator,
    peers,
    loadKeys: createJwksCache({
      outbound: options.outbound,
      onFetchFailed: (origin, reason) =>
        void peers
          .recordError(new URL(origin).host, contactErrorMessage(classifyContactError(new Error(reason)), "keys"))
          .catch(() => {}),
    }),
    identity,
    logger,
    allowlist,
    unsolicited: createUnsolicitedGate({
      library,
      sharedBuckets: sharedLimits
        ? (perSecond, burst) => sharedLimits.buckets("adoptions", perSecond, burst)
        : undefined,
    }),
  };
  const backfill = createBackfill({
    peers,
    ingest,
    logger,
    pageSize: options.pageSize,
    catchUpIntervalMs: options.catchUpIntervalMs,
    limits: options.backfillLimits,
    locks,
  });
  const peering = createPeering({ peers, library, identity, logger, outbound: options.outbound, allowlist, backfill });

  const door = createInboxDoor({
    documentLoader: loaders.documentLoader,
    keyLoader: loaders.freshLoader,
    contextLoader: loaders.contextLoader,
    forget: loaders.forget,
    logger,
    ratePerSecond: options.inboxRatePerSecond,
    sharedBuckets: sharedLimits ? (perSecond, burst) => sharedLimits.buckets("inbox", perSecond, burst) : undefined,
    refuseHost: (host) => peering.refuseHost(host),
  });

  const federation = createWegoFederation({
    orm,
    identity,
    library,
    peers,
    manuallyApprovesFollowers: options.manuallyApprovesFollowers ?? true,
    kv: options.kv,
    queue: options.queue,
    actorKeys,
    loaders,
    pageSize: options.pageSize,
    profile: options.profile,
    inbox: {
      peers,
      logger,
      identity,
      manuallyApprovesFollowers: options.manuallyApprovesFollowers ?? true,
      peering,
      backfill,
      ingest,
      shares: createShareStore(orm),
      forgetActorKeys: (actor, keyIds) => door.forget(actor, keyIds),
    },
    onDeliveryError: (inbox, error) => {
      // The peer on that host shows failing at once, in plain words; its next success heals it.
      // Fedify delivers through the guard's dispatcher: a wait for headers or body gives up
      // after its 15 s (a connect timeout names its own budget).
      const message = contactErrorMessage(classifyContactError(error, { timeoutMs: 15_000 }), "delivery");
      logger.warn("delivery failed; Fedify retries with backoff", {
        inbox: inbox?.href ?? null,
        reason: message,
        error: error.message.slice(0, 300),
      });
      if (inbox) void peers.recordError(inbox.host, message).catch(() => {});
    },
    onDelivered: (inbox) => void peers.touchHost(inbox.host).catch(() => {}),
  });

  const entries = createOutboxEntries({ maxBytes: options.outboxCacheBytes, library });
  const outboxPages = createOutboxPages({ feed: createLocalFeed(orm), identity, entries, pageSize: options.pageSize });

  const probe = createHealthProbe({
    peers,
    loadDocument: loaders.freshLoader,
    logger,
    quietAfterMs: options.probeQuietAfterMs,
    locks,
  });
  const caseOrigins = createCaseOrigins({ library, peers, identity, logger });
  const publisher = createPublisher({ federation, orm, library, peers, identity, logger, caseOrigins, locks });
  const context = () => federation.createContext(new URL(identity.origin), undefined);
  const queueRun = new AbortController();

  return {
    federation,
    door,
    outboxPages,

    async start() {
      void federation.startQueue(undefined, { signal: queueRun.signal });
      await actorKeys();
      await announceActorKeys({ federation, orm, identity, logger });
      await publisher.start();
      await backfill.startCatchUp(context());
      probe.start();
    },

    async close() {
      queueRun.abort();
      entries.close();
      await Promise.all([backfill.close(), publisher.close(), probe.close()]);
      await locks.close();
    },

    list: () => peering.list(),
    follow: (target) => peering.follow(context(), target),
    approve: (actorId) => peering.approve(context(), actorId),
    reject: (actorId) => peering.reject(context(), actorId),
    unfollow: (actorId) => peering.unfollow(context(), actorId),
    block: (host) => peering.block(host),
    unblock: (host) => peering.unblock(host),
    resync: (actorId) => peering.resync(context(), actorId),
    announce: (itemId) => publisher.announce(itemId),
    flushed: () => publisher.flushed(),
    sharedWork: async () => ({
      database: locks.database,
      publisherLocks: await locks.holders(PUBLISHER_LOCK),
      publisher: locks.holding(PUBLISHER_LOCK),
    }),
  };
}
