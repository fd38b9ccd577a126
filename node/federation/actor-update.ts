import type { Federation, InboxContext } from "@fedify/fedify";
import { isActor, PUBLIC_COLLECTION, Update } from "@fedify/fedify/vocab";
import type { Orm } from "../db/orm.ts";
import { Meta } from "../db/entities.ts";
import type { NodeIdentity } from "../library/library.ts";
import type { Logger } from "../log.ts";
import { actorKeyFingerprint } from "./actor-keys.ts";
import type { FederationDeps } from "./deps.ts";
import { createPeerStore } from "./peers.ts";

// Telling peers that the city actor's keys changed (`wego keys rotate --http` writes new
// keys; the node announces them when it next starts). Peers that cached the old keys
// re-read the actor document when a signature fails with them; the Update, itself signed
// with the new keys, makes them do so at once rather than at our next delivery.

/** The meta row holding the fingerprint of the actor keys last announced to followers. */
const ANNOUNCED_KEY = "federation.announcedActorKeys";

/** Options of {@link announceActorKeys}. */
export interface AnnounceActorKeysOptions {
  readonly federation: Federation<void>;
  readonly orm: Orm;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
}

/** Outcome of {@link announceActorKeys}. */
export type AnnounceActorKeysResult =
  | { readonly status: "unchanged" }
  | { readonly status: "announced"; readonly followers: number }
  | { readonly status: "failed"; readonly reason: string };

/**
 * Compares the actor keys this process publishes with the ones last announced and, when
 * they differ, sends an `Update` of the city actor to every follower (through the durable
 * queue), then records them as announced. Never throws: a failure is logged and retried
 * at the next start.
 */
export async function announceActorKeys(options: AnnounceActorKeysOptions): Promise<AnnounceActorKeysResult> {
  const { federation, orm, identity, logger } = options;
  try {
    const { thumbprints } = await actorKeyFingerprint(orm);
    const current = thumbprints.join(" ");
    const announced = await orm.em.fork().findOne(Meta, { key: ANNOUNCED_KEY });
    if (announced?.value === current) return { status: "unchanged" };
    const followers = (await createPeerStore(orm).followers()).length;
    if (followers > 0) {
      const ctx = federation.createContext(new Request(identity.actorId), undefined);
      const actor = await ctx.getActor(identity.city);
      if (!actor?.id) throw new TypeError(`the actor dispatcher has no actor ${identity.city}`);
      const followersId = ctx.getFollowersUri(identity.city);
      await ctx.sendActivity(
        { identifier: identity.city },
        "followers",
        // Named by the new keys: a receiver that saw it already drops a second copy.
        new Update({ id: new URL(`${actor.id.href}#updates/keys-${thumbprints[0]}`), actor: actor.id, object: actor, tos: [PUBLIC_COLLECTION], ccs: [followersId] }),
        { preferSharedInbox: true },
      );
      logger.info("announced the actor's keys to its followers (Update of the actor)", { followers });
    }
    await orm.em
      .getKnex()
      .raw("insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value", [ANNOUNCED_KEY, current]);
    return followers > 0 ? { status: "announced", followers } : { status: "unchanged" };
  } catch (error) {
    const reason = String((error as Error)?.message ?? error);
    logger.error("could not announce the actor's keys; will try again at the next start", { error: reason });
    return { status: "failed", reason };
  }
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
 * evicted and re-read at their next use. Nothing is taken from the embedded document.
 */
export async function onActorUpdated(deps: FederationDeps, ctx: InboxContext<void>, update: Update): Promise<void> {
  const actor = update.actorId;
  if (!actor) return;
  const peer = await deps.peers.get(actor.href);
  if (!peer) {
    deps.logger.debug("ignored an actor Update from a stranger", { actor: actor.href });
    return;
  }
  const object = await update.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, suppressError: true }).catch(() => null);
  const listed = object && isActor(object) && object.id?.href === actor.href ? [...object.publicKeyIds, ...object.assertionMethodIds] : [];
  // The conventional ids too: a key the actor no longer lists must not stay trusted from the cache.
  const keyIds = new Set([...listed.map((u) => u.href), `${actor.href}#main-key`, `${actor.href}#key-2`].filter((id) => new URL(id).origin === actor.origin));
  deps.forgetActorKeys(actor.href, [...keyIds]);
  deps.logger.info("a peer updated its actor; its cached keys were dropped", { actor: actor.href, keys: [...keyIds], activity: update.id?.href ?? null });
  await deps.peers.touch(actor.href);
}
