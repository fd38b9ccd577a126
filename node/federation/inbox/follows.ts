import { Follow, Reject, type Accept, type Undo } from "@fedify/fedify/vocab";
import type { InboxContext } from "@fedify/fedify";
import type { FederationDeps } from "../deps.ts";
import { actorInfoOf, unusableActor } from "../actors.ts";

/** Someone asked to follow our city: record it pending (or accept at once when not moderated). */
export async function onFollowed(deps: FederationDeps, ctx: InboxContext<void>, follow: Follow): Promise<void> {
  const { peers, logger } = deps;
  if (!follow.id || !follow.actorId || follow.objectId?.href !== deps.actorId.href) {
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
    logger.info("ignored a Follow from an actor the node cannot deliver to", { actor: actor.id.href, reason: unusable });
    return;
  }
  if ((await peers.isBlocked(host)) || (deps.allowlist && !deps.allowlist.includes(host))) {
    await ctx.sendActivity({ identifier: deps.city }, actor, new Reject({ id: new URL(`${deps.actorId.href}#reject-${encodeURIComponent(follow.id.href)}`), actor: deps.actorId, object: follow }));
    logger.info("rejected a Follow from a host that may not peer", { host });
    return;
  }
  await peers.remember(actorInfoOf(actor));
  await peers.update(actor.id.href, { theyFollow: "pending", theirFollowId: follow.id.href, lastSeen: new Date().toISOString() });
  logger.info("follow request pending approval", { actor: actor.id.href });
  if (!deps.manuallyApprovesFollowers) await deps.approve(actor.id.href);
}

/** A peer accepted our Follow: we now receive its items; import its library. */
export async function onFollowAccepted(deps: FederationDeps, _ctx: InboxContext<void>, accept: Accept): Promise<void> {
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
  deps.startBackfill(actorId, "full");
}

/** A peer refused our Follow. */
export async function onFollowRejected(deps: FederationDeps, _ctx: InboxContext<void>, reject: Reject): Promise<void> {
  const actorId = reject.actorId?.href;
  if (!actorId) return;
  const peer = await deps.peers.get(actorId);
  if (!peer || peer.weFollow === "none") return;
  await deps.peers.update(actorId, { weFollow: "rejected", lastSeen: new Date().toISOString() });
  deps.logger.info("peer rejected our follow", { actor: actorId });
}

/** A peer withdrew its Follow of our city. */
export async function onUnfollowed(deps: FederationDeps, ctx: InboxContext<void>, undo: Undo): Promise<void> {
  const actorId = undo.actorId?.href;
  if (!actorId) return;
  const object = await undo.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, suppressError: true });
  if (!(object instanceof Follow) || object.actorId?.href !== actorId) return;
  await deps.peers.update(actorId, { theyFollow: "none", theirFollowId: null });
  deps.logger.info("peer unfollowed us", { actor: actorId });
}

