import type { Context } from "@fedify/fedify";
import { Accept, Follow, isActor, Reject, Undo, type Actor } from "@fedify/fedify/vocab";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { Logger } from "../log.ts";
import type { Outbound } from "../net/outbound.ts";
import { actorInfoOf, unusableActor } from "./actors.ts";
import type { Backfill } from "./backfill.ts";
import { hostOf, type PeerStore, type PeerView } from "../db/peer-store.ts";
import { resolveHandle } from "./webfinger.ts";
import {
  classifyContactError,
  contactErrorMessage,
  contactFailureText,
  parseContactErrorMessage,
  UNREACHABLE_KINDS,
  type ContactActivity,
  type ContactFailure,
} from "./contact-errors.ts";

// Peering operations: what an admin does (follow, approve, reject, unfollow, block,
// unblock, resync), and the host policy every door into the node applies. Operations
// that send an activity take the Fedify context to send it through.

/** Options of {@link createPeering}. */
export interface PeeringOptions {
  readonly peers: PeerStore;
  /** Counts items by origin (the peers list) and purges a blocked host's items. */
  readonly library: Pick<Library, "countByOrigin" | "purgeOrigin">;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
  /** WebFinger lookups of handles go through it. */
  readonly outbound: Outbound;
  /** When set, only these hosts may peer (WeGO membership). */
  readonly allowlist?: readonly string[] | null;
  /** A resync starts a full import of the peer's outbox. */
  readonly backfill: Pick<Backfill, "start">;
}

/** A peer's health as the admins' page and `GET /api/peers` (for admins) report it. */
export type PeerHealth = "healthy" | "unreachable" | "failing" | "unknown";

/** A peer with its health spelled out: what the last failed contact was, in parts a page can translate. */
export interface PeerHealthView extends PeerView {
  /**
   * `unknown` before any contact; `unreachable` when the last contact could not reach the
   * peer at all (refused, timed out, DNS, TLS…); `failing` when the peer answered wrongly
   * (an HTTP error, a document that is not ActivityPub); `healthy` otherwise.
   */
  readonly health: PeerHealth;
  /** The failure behind `lastError`, when `lastError` is one of the node's own messages. */
  readonly failure: (ContactFailure & { readonly activity: ContactActivity }) | null;
  /** Whether the host is on the node's WeGO member list (`--allow-hosts`); null when there is none. */
  readonly member: boolean | null;
}

/** The health of a peer view, from its last contacts, and its membership when there is a member list. */
export function healthOf(view: PeerView, allowlist: readonly string[] | null = null): PeerHealthView {
  const failure = view.lastError ? parseContactErrorMessage(view.lastError) : null;
  const health: PeerHealth = view.failingSince
    ? failure && UNREACHABLE_KINDS.has(failure.kind)
      ? "unreachable"
      : "failing"
    : view.lastSeen
      ? "healthy"
      : "unknown";
  return { ...view, health, failure, member: allowlist ? allowlist.includes(view.host) : null };
}

/** What kind of refusal it is, so a page can say it in its reader's language. */
export type PeeringRefusalCode =
  | "self"
  | "blocked"
  | "not-allowed"
  | "no-request"
  | "not-following"
  | "bad-host"
  | "not-blocked"
  | "resync-unfollowed"
  | "unreachable";

/**
 * Why an action was refused, as an HTTP status and a reason an admin reads (English, for the
 * API and the log); `code` with `subject` (a host or a handle) and `failure` name it for pages.
 */
export interface PeeringRefusal {
  readonly ok: false;
  readonly status: 400 | 403 | 404 | 409 | 502;
  readonly reason: string;
  readonly code?: PeeringRefusalCode;
  readonly subject?: string;
  readonly failure?: ContactFailure;
}

/** Outcome of an action on a peer actor: its id and our follow state with it. */
export type PeerActionResult = { readonly ok: true; readonly actor: string; readonly state: string } | PeeringRefusal;

/** Outcome of blocking or unblocking a host. */
export type HostActionResult = { readonly ok: true; readonly host: string; readonly state: string } | PeeringRefusal;

/** The peering operations of the city. */
export interface Peering {
  /** Every known peer and blocked host, with the items held from each and its health. */
  list(): Promise<PeerHealthView[]>;
  /** Why activities from `host` are refused (blocked, not on the allowlist), or null. */
  refuseHost(host: string): Promise<string | null>;
  /** Looks up an actor by URL or handle and sends it our Follow. */
  follow(ctx: Context<void>, target: string): Promise<PeerActionResult>;
  /** Accepts a pending follow request. */
  approve(ctx: Context<void>, actorId: string): Promise<PeerActionResult>;
  /** Rejects a follow request. */
  reject(ctx: Context<void>, actorId: string): Promise<PeerActionResult>;
  /** Withdraws our Follow of a peer. */
  unfollow(ctx: Context<void>, actorId: string): Promise<PeerActionResult>;
  /** Blocks a host: ends our follows there, drops their follows of us, purges its items. */
  block(host: string): Promise<HostActionResult>;
  unblock(host: string): Promise<HostActionResult>;
  /** Imports a followed peer's whole outbox again. */
  resync(ctx: Context<void>, actorId: string): Promise<PeerActionResult>;
}

/** The address of a peer's personal inbox, for activities sent to it alone. */
function recipientOf(peer: { readonly actorId: string; readonly inbox?: string | null }) {
  return { id: new URL(peer.actorId), inboxId: peer.inbox ? new URL(peer.inbox) : null, endpoints: null };
}

/** Builds the peering operations over the peer store. */
export function createPeering(options: PeeringOptions): Peering {
  const { peers, library, identity, logger } = options;
  const allowlist = options.allowlist ?? null;
  const actorId = new URL(identity.actorId);
  const sender = { identifier: identity.city };

  async function refuseHost(host: string): Promise<string | null> {
    if (await peers.isBlocked(host)) return `${host} is blocked`;
    if (allowlist && !allowlist.includes(host)) return `${host} is not on the allowlist`;
    return null;
  }

  /** The actor at `target` (a URL or a handle), or why there is none in plain words (Fedify's lookup keeps only "null"). */
  async function lookupActor(
    ctx: Context<void>,
    target: string,
  ): Promise<{ readonly ok: true; readonly actor: Actor } | PeeringRefusal> {
    const documentLoader = await ctx.getDocumentLoader(sender);
    const trimmed = target.trim();
    let url = trimmed;
    if (!(URL.canParse(trimmed) && /^https?:/.test(trimmed))) {
      // A handle is resolved by the node's own WebFinger client, through the outbound guard.
      const ownScheme = new URL(identity.origin).protocol === "http:" ? "http" : "https";
      const resolved = await resolveHandle(options.outbound, trimmed, ownScheme);
      if (!resolved.ok) return { ok: false, status: 404, reason: resolved.reason };
      url = resolved.actor;
    }
    // Loaded once, here, to learn why it fails if it does; the lookup reads this copy.
    let loaded: Awaited<ReturnType<typeof documentLoader>>;
    try {
      loaded = await documentLoader(url);
    } catch (error) {
      const failure = classifyContactError(error);
      // Unreachable, or a server error: the peer's health says so too. A 4xx, a redirect
      // loop or a page that is not JSON is "no actor there".
      if (UNREACHABLE_KINDS.has(failure.kind) || (failure.kind === "http" && (failure.status ?? 0) >= 500)) {
        if (URL.canParse(url)) await peers.recordError(hostOf(url), contactErrorMessage(failure, "actor"));
        return {
          ok: false,
          status: 502,
          reason: `${target}: ${contactFailureText(failure)}`,
          code: "unreachable",
          subject: target,
          failure,
        };
      }
      return {
        ok: false,
        status: 404,
        reason: `no ActivityPub actor found at ${url} (${contactFailureText(failure)})`,
      };
    }
    const once: typeof documentLoader = (u: string) => (u === url ? Promise.resolve(loaded) : documentLoader(u));
    let problem = "";
    const object = await ctx.lookupObject(url, { documentLoader: once }).catch((error: unknown) => {
      problem = String((error as Error)?.message ?? error).slice(0, 200);
      return null;
    });
    if (isActor(object)) return { ok: true, actor: object };
    const what =
      problem || (object ? `it is a ${object.constructor.name}, not an actor` : "it is not ActivityPub JSON");
    return { ok: false, status: 404, reason: `no ActivityPub actor found at ${url} (${what})` };
  }

  /** Answers a peer's Follow (`followId`) of our city with an Accept or a Reject, named after it. */
  async function answerFollow(
    ctx: Context<void>,
    peer: { readonly actorId: string; readonly inbox?: string | null },
    followId: string,
    answer: "accept" | "reject",
  ): Promise<void> {
    const follow = new Follow({ id: new URL(followId), actor: new URL(peer.actorId), object: actorId });
    const Answer = answer === "accept" ? Accept : Reject;
    await ctx.sendActivity(
      sender,
      recipientOf(peer),
      new Answer({
        id: new URL(`${identity.actorId}#${answer}s/${encodeURIComponent(followId)}`),
        actor: actorId,
        object: follow,
      }),
    );
  }

  /** Looks up `target` and sends it our Follow; or why not. */
  async function follow(ctx: Context<void>, target: string): Promise<PeerActionResult> {
    const found = await lookupActor(ctx, target);
    if (!found.ok) return found;
    const { actor } = found;
    if (!actor.id) return { ok: false, status: 404, reason: `no ActivityPub actor found at ${target} (it has no id)` };
    const unusable = unusableActor(actor);
    if (unusable) return { ok: false, status: 400, reason: unusable };
    if (actor.id.origin === identity.origin)
      return { ok: false, status: 400, reason: "a node cannot follow itself", code: "self" };
    const host = hostOf(actor.id.href);
    const refused = await refuseHost(host);
    if (refused)
      return {
        ok: false,
        status: 403,
        reason: refused,
        code: (await peers.isBlocked(host)) ? "blocked" : "not-allowed",
        subject: host,
      };
    await peers.remember(actorInfoOf(actor));
    const followId = new URL(`${identity.actorId}#follows/${crypto.randomUUID()}`);
    await ctx.sendActivity(sender, actor, new Follow({ id: followId, actor: actorId, object: actor.id }));
    const current = await peers.get(actor.id.href);
    // Following again after an accepted follow keeps the accepted state.
    if (current?.weFollow !== "accepted")
      await peers.update(actor.id.href, { weFollow: "requested", ourFollowId: followId.href });
    logger.info("asked to follow a peer", { actor: actor.id.href });
    return { ok: true, actor: actor.id.href, state: current?.weFollow === "accepted" ? "accepted" : "requested" };
  }

  return {
    async list() {
      return (await peers.list(await library.countByOrigin())).map((view) => healthOf(view, allowlist));
    },

    refuseHost,

    async follow(ctx, target) {
      const result = await follow(ctx, target);
      // Every refusal reaches the admin (API answer, peers page) and the log.
      if (!result.ok) logger.info("could not follow", { target, status: result.status, reason: result.reason });
      return result;
    },

    async approve(ctx, peerId) {
      const peer = await peers.get(peerId);
      if (!peer?.theirFollowId)
        return { ok: false, status: 404, reason: "no follow request from this actor", code: "no-request" };
      if (await peers.isBlocked(peer.host))
        return { ok: false, status: 403, reason: `${peer.host} is blocked`, code: "blocked", subject: peer.host };
      await answerFollow(ctx, peer, peer.theirFollowId, "accept");
      await peers.update(peerId, { theyFollow: "accepted" });
      logger.info("approved a follower", { actor: peerId });
      return { ok: true, actor: peerId, state: "accepted" };
    },

    async reject(ctx, peerId) {
      const peer = await peers.get(peerId);
      if (!peer?.theirFollowId)
        return { ok: false, status: 404, reason: "no follow request from this actor", code: "no-request" };
      await answerFollow(ctx, peer, peer.theirFollowId, "reject");
      await peers.update(peerId, { theyFollow: "rejected", theirFollowId: null });
      return { ok: true, actor: peerId, state: "rejected" };
    },

    async unfollow(ctx, peerId) {
      const peer = await peers.get(peerId);
      if (!peer || peer.weFollow === "none")
        return { ok: false, status: 404, reason: "this node does not follow that actor", code: "not-following" };
      if (peer.ourFollowId) {
        const follow = new Follow({ id: new URL(peer.ourFollowId), actor: actorId, object: new URL(peer.actorId) });
        await ctx.sendActivity(
          sender,
          recipientOf(peer),
          new Undo({ id: new URL(`${peer.ourFollowId}/undo`), actor: actorId, object: follow }),
        );
      }
      await peers.update(peerId, { weFollow: "none", ourFollowId: null });
      return { ok: true, actor: peerId, state: "none" };
    },

    async block(host) {
      const h = host.trim().toLowerCase();
      if (!/^[a-z0-9.-]+(:\d+)?$/.test(h))
        return { ok: false, status: 400, reason: "host must be a host name, optionally with :port", code: "bad-host" };
      if (h === new URL(identity.origin).host)
        return { ok: false, status: 400, reason: "a node cannot block itself", code: "self" };
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
      return { ok: true, host: h, state: "blocked" };
    },

    async unblock(host) {
      const done = await peers.unblock(host.trim());
      return done
        ? { ok: true, host, state: "none" }
        : { ok: false, status: 404, reason: "that host is not blocked", code: "not-blocked", subject: host };
    },

    async resync(ctx, peerId) {
      const peer = await peers.get(peerId);
      if (peer?.weFollow !== "accepted")
        return {
          ok: false,
          status: 409,
          reason: "only a peer this node follows can be resynced",
          code: "resync-unfollowed",
        };
      await peers.update(peerId, { backfillState: "idle", backfillCursor: null });
      options.backfill.start(ctx, peerId, "full", "admin");
      return { ok: true, actor: peerId, state: "running" };
    },
  };
}
