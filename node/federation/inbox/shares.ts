import type { InboxContext } from "@fedify/fedify";
import type { Announce, Undo } from "@fedify/fedify/vocab";
import type { ShareStore } from "../../db/share-store.ts";
import type { Library } from "../../library/library.ts";
import type { NodeIdentity } from "../../library/identity.ts";
import type { Logger } from "../../log.ts";

// Shares (boosts) of this city's items by anyone on the fediverse. An Announce of an item
// of ours is not an item to ingest (ours is the original): it is a reader's share, counted
// on the item's page. Nothing is fetched: the object must name one of our live items.

/** What the share handlers need. */
export interface ShareHandlerDeps {
  readonly shares: ShareStore;
  readonly library: Pick<Library, "get">;
  readonly identity: Pick<NodeIdentity, "origin">;
  readonly logger: Logger;
}

/** Whether an Announce shares one of this node's own items (its object is on our origin). */
export function isShareOfOurs(announce: Announce, identity: Pick<NodeIdentity, "origin">): boolean {
  return announce.objectId?.origin === identity.origin;
}

/** Someone shared (boosted) one of our items: counted once per actor. */
export async function onItemShared(
  deps: ShareHandlerDeps,
  _ctx: InboxContext<void>,
  announce: Announce,
): Promise<void> {
  const actor = announce.actorId?.href;
  const itemId = announce.objectId?.href;
  const activityId = announce.id?.href;
  if (!actor || !itemId || !activityId) return;
  const item = await deps.library.get(itemId);
  if (!item?.local || item.deleted) {
    deps.logger.info("ignored a share", { reason: "no such item of ours", object: itemId, actor });
    return;
  }
  await deps.shares.record(item.id, actor, activityId);
  deps.logger.info("an item was shared", { item: item.id, actor });
}

/** An Undo of a share: removes it; false when the undone activity is no share we hold. */
export async function onShareUndone(deps: ShareHandlerDeps, undo: Undo): Promise<boolean> {
  const actor = undo.actorId?.href;
  const undone = undo.objectId?.href;
  if (!actor || !undone) return false;
  const removed = await deps.shares.remove(actor, undone);
  if (removed) deps.logger.info("a share was withdrawn", { actor, activity: undone });
  return removed;
}
