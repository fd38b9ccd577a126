import { Follow, Reject, type Accept, type Undo } from "@fedify/fedify/vocab";
import type { InboxContext } from "@fedify/fedify";
import type { NodeIdentity } from "../../library/identity.ts";
import type { Logger } from "../../log.ts";
import { actorInfoOf, unusableActor } from "../actors.ts";
import type { Backfill } from "../backfill.ts";
import type { Peering } from "../peering.ts";
import type { PeerStore } from "../../db/peer-store.ts";

/** What the follow handlers work with; each takes only the part it uses. */
export interface FollowHandlerDeps {
  readonly peers: PeerStore;
  readonly logger: Logger;
  /** Our city: a Follow must name its actor. */
  readonly identity: Pick<NodeIdentity, "city" | "actorId">;
  /** Whether an admin approves each follower (else a Follow is accepted at once). */
  readonly manuallyApprovesFollowers: boolean;
  readonly peering: Pick<Peering, "approve" | "refuseHost">;
  readonly backfill: Pick<Backfill, "start">;
}

/** The `totalItems` an actor's outbox declares, or null when it cannot be read (one bounded GET). */
async function outboxSize(ctx: InboxContext<void>, outbox: URL | null): Promise<number | null> {
  if (!outbox) return null;
  try {
    const { document } = await ctx.documentLoader(outbox.href);
    const total = (document as { totalItems?: unknown } | null)?.totalItems;
    return Number.isSafeInteger(total) && (total as number) >= 0 ? (total as number) : null;
  } catch {
    return null;
  }
}

/** Someone asked to follow our city: record it pending (or accept at once when not moderated). */
export async function onFollowed(
  deps: Pick<FollowHandlerDeps, "peers" | "logger" | "identity" | "manuallyApprovesFollowers" | "peering">,
  ctx: InboxContext<void>,
  follow: Follow,
): Promise<void> {
  const { peers, logger, identity } = deps;
  const actorId = new URL(identity.actorId);
  if (!follow.id || !follow.actorId || follow.objectId?.href !== actorId.href) {
    logger.info("ignored a Follow not addressed to our city", { follow: follow.id?.href ?? null });
    return;
  }
  const host = follow.actorId.host.toLowerCase();
  const actor = await follow.getActor(ctx);
  if (!actor?.id || actor.id.href !== follow.actorId.href) {
    logger.info("ignored a Follow whose actor cannot be fetched", { actor: follow.actorId.href });
    return;
  }
  const unusable = unusableActor(actor);
  if (unusable) {
    logger.info("ignored a Follow from an actor the node cannot deliver to", {
      actor: actor.id.href,
      reason: unusable,
    });
    return;
  }
  if (await deps.peering.refuseHost(host)) {
    await ctx.sendActivity(
      { identifier: identity.city },
      actor,
      new Reject({
        id: new URL(`${actorId.href}#reject-${encodeURIComponent(follow.id.href)}`),
        actor: actorId,
        object: follow,
      }),
    );
    logger.info("rejected a Follow from a host that may not peer", { host });
    return;
  }
  const known = await peers.get(actor.id.href);
  await peers.remember(actorInfoOf(actor));
  // The admin deciding sees how large the asker's library is: the size its outbox gives,
  // kept where a copy of it would count to (untouched while we copy a library we follow).
  const size = known?.weFollow === "accepted" ? null : await outboxSize(ctx, actor.outboxId);
  await peers.update(actor.id.href, {
    theyFollow: "pending",
    theirFollowId: follow.id.href,
    lastSeen: new Date().toISOString(),
    ...(size === null ? {} : { backfillTotal: size }),
  });
  logger.info("follow request pending approval", { actor: actor.id.href });
  if (!deps.manuallyApprovesFollowers) await deps.peering.approve(ctx, actor.id.href);
}

/** A peer accepted our Follow: we now receive its items; import its library. */
export async function onFollowAccepted(
  deps: Pick<FollowHandlerDeps, "peers" | "logger" | "backfill">,
  ctx: InboxContext<void>,
  accept: Accept,
): Promise<void> {
  const actorId = accept.actorId?.href;
  if (!actorId) return;
  const peer = await deps.peers.get(actorId);
  const followId = accept.objectId?.href;
  if (!peer || peer.weFollow === "none" || (followId && peer.ourFollowId && followId !== peer.ourFollowId)) {
    deps.logger.info("ignored an Accept for a follow we did not ask for", { actor: actorId });
    return;
  }
  await deps.peers.update(actorId, { weFollow: "accepted", lastSeen: new Date().toISOString() });
  deps.logger.info("peer accepted our follow", { actor: actorId });
  // Started by the peer's own activity: held back after a run that failed.
  deps.backfill.start(ctx, actorId, "full", "peer");
}

/** A peer refused our Follow. */
export async function onFollowRejected(
  deps: Pick<FollowHandlerDeps, "peers" | "logger">,
  _ctx: InboxContext<void>,
  reject: Reject,
): Promise<void> {
  const actorId = reject.actorId?.href;
  if (!actorId) return;
  const peer = await deps.peers.get(actorId);
  if (!peer || peer.weFollow === "none") return;
  await deps.peers.update(actorId, { weFollow: "rejected", lastSeen: new Date().toISOString() });
  deps.logger.info("peer rejected our follow", { actor: actorId });
}

/** A peer withdrew its Follow of our city. */
export async function onUnfollowed(
  deps: Pick<FollowHandlerDeps, "peers" | "logger">,
  ctx: InboxContext<void>,
  undo: Undo,
): Promise<void> {
  const actorId = undo.actorId?.href;
  if (!actorId) return;
  const object = await undo.getObject({
    documentLoader: ctx.documentLoader,
    contextLoader: ctx.contextLoader,
    suppressError: true,
  });
  if (!(object instanceof Follow) || object.actorId?.href !== actorId) return;
  await deps.peers.update(actorId, { theyFollow: "none", theirFollowId: null });
  deps.logger.info("peer unfollowed us", { actor: actorId });
}
