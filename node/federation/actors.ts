import type { Actor } from "@fedify/fedify/vocab";
import type { ActorInfo } from "./peers.ts";

/** What we keep of a remote actor: its addresses and names. */
export function actorInfoOf(actor: Actor): ActorInfo {
  const id = actor.id!;
  const username = typeof actor.preferredUsername === "string" ? actor.preferredUsername : actor.preferredUsername?.toString();
  const name = typeof actor.name === "string" ? actor.name : actor.name?.toString();
  return {
    actorId: id.href,
    handle: username ? `@${username}@${id.host}` : null,
    name: name ?? null,
    inbox: actor.inboxId?.href ?? null,
    sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
    outbox: actor.outboxId?.href ?? null,
  };
}
