import type { InboxContext } from "@fedify/fedify";
import type { Announce, Create, Delete, Update } from "@fedify/fedify/vocab";
import { ingestObject, type IngestDeps } from "../ingest.ts";

type ItemActivity = Create | Update | Delete | Announce;

async function ingestActivity(
  deps: IngestDeps,
  ctx: InboxContext<void>,
  activity: ItemActivity,
  kind: string,
): Promise<void> {
  const deliverer = activity.actorId;
  if (!deliverer) return;
  // Embedded objects are read as delivered; a bare URL is fetched (from wherever it
  // points) — either way only the origin's signature decides what is kept.
  const object = await activity
    .getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, suppressError: true })
    .catch(() => null);
  if (!object) {
    deps.logger.info("refused an item", {
      reason: `${kind} without a readable object`,
      activity: activity.id?.href ?? null,
      deliveredBy: deliverer.href,
    });
    return;
  }
  const outcome = await ingestObject(deps, object, deliverer);
  if (outcome.ok) await deps.peers.touch(deliverer.href);
}

/** A peer published an item. */
export function onItemCreated(deps: IngestDeps, ctx: InboxContext<void>, create: Create): Promise<void> {
  return ingestActivity(deps, ctx, create, "Create");
}

/** A peer published a new version of an item. */
export function onItemUpdated(deps: IngestDeps, ctx: InboxContext<void>, update: Update): Promise<void> {
  return ingestActivity(deps, ctx, update, "Update");
}

/** A peer deleted an item: its signed Tombstone replaces it. */
export function onItemDeleted(deps: IngestDeps, ctx: InboxContext<void>, del: Delete): Promise<void> {
  return ingestActivity(deps, ctx, del, "Delete");
}

/** A peer relayed another city's item: kept only if the origin's own signature verifies. */
export function onItemAnnounced(deps: IngestDeps, ctx: InboxContext<void>, announce: Announce): Promise<void> {
  return ingestActivity(deps, ctx, announce, "Announce");
}
