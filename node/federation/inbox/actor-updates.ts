import type { InboxContext } from "@fedify/fedify";
import { isActor, type Update } from "@fedify/fedify/vocab";
import type { Logger } from "../../log.ts";
import type { PeerStore } from "../../db/peer-store.ts";
import { actorInfoOf, unusableActor } from "../actors.ts";

/** What {@link onActorUpdated} works with. */
export interface ActorUpdateDeps {
  readonly peers: PeerStore;
  readonly logger: Logger;
  /**
   * Drops what the inbox door cached of an actor (its document, the keys it listed, the
   * proofs of ownership): called when the actor announces new keys.
   */
  forgetActorKeys(actorId: string, keyIds: readonly string[]): void;
}

/** Whether an Update is an actor updating itself (its object is its actor), not an item. */
export function isActorSelfUpdate(update: Update): boolean {
  return update.actorId !== null && update.objectId !== null && update.actorId.href === update.objectId.href;
}

/**
 * A peer updated its own actor, perhaps with new keys under the same key ids (Fedify
 * names them by position: `#main-key`, `#key-2`). The inbox door proved the Update's
 * sender, but its caches (the actor's document, its keys, the proofs of ownership) may
 * still hold the old keys: every key the actor lists, and the conventional ids, are
 * evicted and re-read at their next use. No key is taken from the embedded document; its
 * name, handle and inboxes (on the actor's own origin) are kept, as when the peer was first
 * met: the door proved the Update comes from that actor, so this is the city speaking of itself.
 */
export async function onActorUpdated(deps: ActorUpdateDeps, ctx: InboxContext<void>, update: Update): Promise<void> {
  const actor = update.actorId;
  if (!actor) return;
  const peer = await deps.peers.get(actor.href);
  if (!peer) {
    deps.logger.debug("ignored an actor Update from a stranger", { actor: actor.href });
    return;
  }
  const object = await update
    .getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, suppressError: true })
    .catch(() => null);
  const listed =
    object && isActor(object) && object.id?.href === actor.href
      ? [...object.publicKeyIds, ...object.assertionMethodIds]
      : [];
  // The conventional ids too: a key the actor no longer lists must not stay trusted from the cache.
  const keyIds = new Set(
    [...listed.map((u) => u.href), `${actor.href}#main-key`, `${actor.href}#key-2`].filter(
      (id) => new URL(id).origin === actor.origin,
    ),
  );
  deps.forgetActorKeys(actor.href, [...keyIds]);
  if (object && isActor(object) && object.id?.href === actor.href && unusableActor(object) === null) {
    await deps.peers.remember(actorInfoOf(object));
  }
  deps.logger.info("a peer updated its actor; its cached keys were dropped", {
    actor: actor.href,
    keys: [...keyIds],
    activity: update.id?.href ?? null,
  });
  await deps.peers.touch(actor.href);
}
