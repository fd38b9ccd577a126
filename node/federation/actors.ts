import type { Actor } from "@fedify/fedify/vocab";
import type { ActorInfo } from "../db/peer-store.ts";

/** An address the actor publishes, kept only if it is an http(s) URL on the actor's own origin. */
function sameOrigin(actorId: URL, address: URL | null | undefined): string | null {
  if (!address || (address.protocol !== "https:" && address.protocol !== "http:")) return null;
  return address.origin === actorId.origin ? address.href : null;
}

/**
 * What we keep of a remote actor: its addresses and names. Inbox, shared inbox and outbox
 * are kept only on the actor's own origin: an actor document must not be able to point
 * the node's signed deliveries, or its backfill, at another host (an internal address,
 * say).
 */
export function actorInfoOf(actor: Actor): ActorInfo {
  const id = actor.id!;
  const username =
    typeof actor.preferredUsername === "string" ? actor.preferredUsername : actor.preferredUsername?.toString();
  const name = typeof actor.name === "string" ? actor.name : actor.name?.toString();
  return {
    actorId: id.href,
    handle: username ? `@${username}@${id.host}` : null,
    name: name ? name.slice(0, 200) : null,
    inbox: sameOrigin(id, actor.inboxId),
    sharedInbox: sameOrigin(id, actor.endpoints?.sharedInbox),
    outbox: sameOrigin(id, actor.outboxId),
  };
}

/** Why the node cannot peer with `actor` (no usable inbox on its origin), or null. */
export function unusableActor(actor: Actor): string | null {
  if (!actor.id) return "the actor has no id";
  if (!actor.inboxId) return "the actor has no inbox";
  if (!sameOrigin(actor.id, actor.inboxId)) return "the actor's inbox is not on the actor's own origin";
  return null;
}
