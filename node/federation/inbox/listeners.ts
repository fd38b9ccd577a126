import type { Federation } from "@fedify/fedify";
import { Accept, Announce, Create, Delete, Follow, Reject, Undo, Update } from "@fedify/fedify/vocab";
import { isActorSelfUpdate, onActorUpdated } from "../actor-update.ts";
import type { FederationDeps } from "../deps.ts";
import { onFollowAccepted, onFollowed, onFollowRejected, onUnfollowed } from "./follows.ts";
import { onItemAnnounced, onItemCreated, onItemDeleted, onItemUpdated } from "./items.ts";

/** The routing table of the city's inbox (personal and shared). */
export function registerInboxListeners(federation: Federation<void>, deps: FederationDeps): void {
  federation
    .setInboxListeners("/cities/{identifier}/inbox", "/inbox")
    .on(Follow, (ctx, a) => onFollowed(deps, ctx, a))
    .on(Accept, (ctx, a) => onFollowAccepted(deps, ctx, a))
    .on(Reject, (ctx, a) => onFollowRejected(deps, ctx, a))
    .on(Undo, (ctx, a) => onUnfollowed(deps, ctx, a))
    .on(Create, (ctx, a) => onItemCreated(deps, ctx, a))
    .on(Update, (ctx, a) => (isActorSelfUpdate(a) ? onActorUpdated(deps, ctx, a) : onItemUpdated(deps, ctx, a)))
    .on(Delete, (ctx, a) => onItemDeleted(deps, ctx, a))
    .on(Announce, (ctx, a) => onItemAnnounced(deps, ctx, a))
    .onError((_ctx, error) => deps.logger.warn("inbox listener failed", { error: String((error as Error)?.stack ?? error) }));
}
