import { createFederation, parseSemVer, type Federation, type KvStore, type MessageQueue } from "@fedify/fedify";
import { Article, Create, Delete, PUBLIC_COLLECTION, Update, type Activity } from "@fedify/fedify/vocab";
import type { Orm } from "../db/orm.ts";
import { createLocalFeed } from "../library/feed.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { Library } from "../library/library.ts";
import { trackDeliveries } from "./delivery-errors.ts";
import { addressPublicInFull } from "./public-address.ts";
import { cityActor, setFeaturedItems, type CityProfile } from "./city-actor.ts";
import type { DocumentLoaders } from "./document-loader.ts";
import { registerInboxListeners, type InboxHandlerDeps } from "./inbox/listeners.ts";
import type { PeerStore } from "../db/peer-store.ts";
import { decodeCursor, encodeCursor, FIRST_CURSOR } from "./outbox-pages.ts";
import { toArticle, toTombstone } from "./vocab.ts";

/** Options of {@link createWegoFederation}. */
export interface WegoFederationOptions {
  readonly orm: Orm;
  readonly identity: NodeIdentity;
  /** Counts local items for NodeInfo. */
  readonly library: Pick<Library, "list" | "get">;
  readonly peers: PeerStore;
  /** Published on the actor: whether an admin approves each follower. */
  readonly manuallyApprovesFollowers: boolean;
  /** What the inbox handlers work with. */
  readonly inbox: InboxHandlerDeps;
  readonly kv: KvStore;
  readonly queue: MessageQueue;
  readonly actorKeys: () => Promise<CryptoKeyPair[]>;
  /** Every fetch Fedify makes for us (actors, keys, objects, contexts) goes through these. */
  readonly loaders: DocumentLoaders;
  /** Items per outbox page (default 100). */
  readonly pageSize?: number;
  /** What the city's profile shows besides its name. */
  readonly profile?: CityProfile;
  /**
   * Called when a delivery fails (Fedify retries it with backoff): the inbox it was for
   * (null if unknown), the error, and the activity.
   */
  readonly onDeliveryError?: (inbox: URL | null, error: Error, activity: Activity | null) => void;
  /** Called when a delivery reached its inbox (a first attempt or a retry). */
  readonly onDelivered?: (inbox: URL) => void;
}

/**
 * The city's ActivityPub face: one Organization actor at `/cities/{city}` (WebFinger
 * `@city@host`), its keys, items as Articles at their ids, a paged outbox of the
 * library (for backfill), followers, and the inbox routing table.
 */
export function createWegoFederation(options: WegoFederationOptions): Federation<void> {
  const { orm, identity, peers, library } = options;
  const feed = createLocalFeed(orm);
  const city = identity.city;
  const pageSize = options.pageSize ?? 100;
  const deliveries = trackDeliveries(addressPublicInFull(options.queue, options.loaders.contextLoader), {
    onDelivered: options.onDelivered,
  });
  const federation = createFederation<void>({
    kv: options.kv,
    queue: deliveries.queue,
    origin: identity.origin,
    // The node's own loaders stand in for Fedify's: they go through the outbound guard
    // (address checked at connect, ≤ 5 redirects, byte and time budget, JSON bounds).
    // Fedify's allowPrivateAddress stays off; the guard's policy decides instead.
    documentLoaderFactory: () => options.loaders.documentLoader,
    contextLoaderFactory: () => options.loaders.contextLoader,
    authenticatedDocumentLoaderFactory: (identity) => options.loaders.authenticated(identity),
    // The inbox door (inbox-door.ts) has verified the HTTP signature and proven that the
    // key is the actor's before Fedify sees the request; Fedify 1.5.9 would check it only
    // after JSON-LD processing, and would trust a key document's `owner` claim.
    skipSignatureVerification: true,
    manuallyStartQueue: true,
    // Runs inside the queue handler of the failing outbox message: its inbox is known there.
    onOutboxError: (error, activity) => options.onDeliveryError?.(deliveries.failed(), error, activity),
  });

  federation
    .setActorDispatcher("/cities/{identifier}", async (ctx, identifier) =>
      identifier === city
        ? cityActor(ctx, identity, {
            manuallyApprovesFollowers: options.manuallyApprovesFollowers,
            profile: options.profile,
          })
        : null,
    )
    .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === city ? options.actorKeys() : []))
    .mapHandle((_ctx, username) => (username.toLowerCase() === city ? city : null));

  const addresses = (ctx: { getActorUri(i: string): URL; getFollowersUri(i: string): URL }) => ({
    actorId: ctx.getActorUri(city),
    followersId: ctx.getFollowersUri(city),
  });

  setFeaturedItems(federation, identity, library, addresses);

  federation.setObjectDispatcher(Article, "/items/{slug}", async (ctx, { slug }) => {
    const found = await library.get(`${identity.origin}/items/${slug}`);
    if (!found?.local || found.deleted) return null;
    return toArticle(found, addresses(ctx));
  });

  federation
    .setOutboxDispatcher("/cities/{identifier}/outbox", async (ctx, identifier, cursor) => {
      if (identifier !== city || cursor === null) return null;
      const after = decodeCursor(cursor);
      if (after === undefined) return null;
      const rows = await feed.page(after, pageSize);
      const items = rows.map((item) => {
        const actor = ctx.getActorUri(city);
        const audience = { tos: [PUBLIC_COLLECTION], ccs: [ctx.getFollowersUri(city)] };
        // A deleted item is listed as the Delete that carries its signed Tombstone, the
        // same activity live followers received, so a follower that was away heals.
        if (item.deleted) {
          const tombstone = toTombstone(item);
          return new Delete({
            id: new URL(`${item.id}#v${item.version}-delete`),
            actor,
            object: tombstone,
            published: tombstone.deleted,
            ...audience,
          });
        }
        const article = toArticle(item, addresses(ctx));
        const Activity = item.version === 1 ? Create : Update;
        return new Activity({
          id: new URL(`${item.id}#v${item.version}-${item.version === 1 ? "create" : "update"}`),
          actor,
          object: article,
          published: article.updated,
          ...audience,
        });
      });
      const last = rows.at(-1);
      return {
        items,
        nextCursor: rows.length === pageSize && last ? encodeCursor({ updated: last.updated, id: last.id }) : null,
      };
    })
    .setFirstCursor((_ctx, identifier) => (identifier === city ? FIRST_CURSOR : null))
    .setCounter(async (_ctx, identifier) => (identifier === city ? feed.count() : null));

  federation
    .setFollowersDispatcher("/cities/{identifier}/followers", async (_ctx, identifier) => {
      if (identifier !== city) return null;
      const followers = await peers.followers();
      return {
        items: followers.map((f) => ({
          id: new URL(f.actorId),
          inboxId: new URL(f.inbox),
          endpoints: f.sharedInbox ? { sharedInbox: new URL(f.sharedInbox) } : null,
        })),
      };
    })
    .setCounter(async (_ctx, identifier) => (identifier === city ? (await peers.followers()).length : null));

  federation
    .setFollowingDispatcher("/cities/{identifier}/following", async (_ctx, identifier) => {
      if (identifier !== city) return null;
      return { items: (await peers.following()).map((p) => new URL(p.actorId)) };
    })
    .setCounter(async (_ctx, identifier) => (identifier === city ? (await peers.following()).length : null));

  federation.setNodeInfoDispatcher("/nodeinfo/2.1", async () => ({
    software: { name: "wego-exchange", version: parseSemVer("0.1.0"), homepage: new URL("/", identity.origin) },
    protocols: ["activitypub"],
    usage: {
      users: { total: 1, activeMonth: 1, activeHalfyear: 1 },
      localPosts: (await library.list({ local: true, limit: 0 })).total,
      localComments: 0,
    },
    openRegistrations: false,
    metadata: { city: city, name: identity.name },
  }));

  registerInboxListeners(federation, options.inbox);
  return federation;
}
