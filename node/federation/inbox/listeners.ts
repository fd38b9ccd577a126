import type { Federation } from "@fedify/fedify";
import { Accept, Announce, Create, Delete, Follow, Reject, Undo, Update } from "@fedify/fedify/vocab";
import type { IngestDeps } from "../ingest.ts";
import { isActorSelfUpdate, onActorUpdated, type ActorUpdateDeps } from "./actor-updates.ts";
import { onFollowAccepted, onFollowed, onFollowRejected, onUnfollowed, type FollowHandlerDeps } from "./follows.ts";
import { isShareOfOurs, onItemShared, onShareUndone } from "./shares.ts";
import type { ShareStore } from "../../db/share-store.ts";
import { onItemAnnounced, onItemCreated, onItemDeleted, onItemUpdated } from "./items.ts";

/** What the inbox handlers are given: each takes the part it needs. */
export interface InboxHandlerDeps extends FollowHandlerDeps, ActorUpdateDeps {
  /** What the item handlers verify and store delivered items with. */
  readonly ingest: IngestDeps;
  /** Where shares (boosts) of our own items are counted. */
  readonly shares: ShareStore;
}

/** The routing table of the city's inbox (personal and shared). */
export function registerInboxListeners(federation: Federation<void>, deps: InboxHandlerDeps): void {
  const { ingest } = deps;
  const sharing = { shares: deps.shares, library: ingest.library, identity: ingest.identity, logger: deps.logger };
  federation
    .setInboxListeners("/cities/{identifier}/inbox", "/inbox")
    .on(Follow, (ctx, a) => onFollowed(deps, ctx, a))
    .on(Accept, (ctx, a) => onFollowAccepted(deps, ctx, a))
    .on(Reject, (ctx, a) => onFollowRejected(deps, ctx, a))
    .on(Undo, async (ctx, a) => {
      if (!(await onShareUndone(sharing, a))) await onUnfollowed(deps, ctx, a);
    })
    .on(Create, (ctx, a) => onItemCreated(ingest, ctx, a))
    .on(Update, (ctx, a) => (isActorSelfUpdate(a) ? onActorUpdated(deps, ctx, a) : onItemUpdated(ingest, ctx, a)))
    .on(Delete, (ctx, a) => onItemDeleted(ingest, ctx, a))
    .on(Announce, (ctx, a) =>
      isShareOfOurs(a, ingest.identity) ? onItemShared(sharing, ctx, a) : onItemAnnounced(ingest, ctx, a),
    )
    .onError((_ctx, error) =>
      deps.logger.warn("inbox listener failed", { error: String((error as Error)?.stack ?? error) }),
    );
}
