import { createHash } from "node:crypto";
import type { Federation } from "@fedify/fedify";
import { PUBLIC_COLLECTION, Update } from "@fedify/fedify/vocab";
import type { Orm } from "../db/orm.ts";
import { createMetaStore } from "../db/meta-store.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { Logger } from "../log.ts";
import { actorKeyFingerprint } from "./actor-keys.ts";
import { createPeerStore } from "../db/peer-store.ts";

// Telling peers that the city actor changed: its keys (`wego keys rotate --http` writes new
// keys; the node announces them when it next starts) or its profile (a new `--name`,
// `--website`, `--member-since`, or a node upgrade that describes the city differently).
// Peers that cached the old keys re-read the actor document when a signature fails with
// them; the Update, itself signed with the new keys, makes them do so at once rather than
// at our next delivery, and shows them the city's new name.

/** The meta row holding the fingerprint of the actor (keys and profile) last announced to followers. */
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
 * Compares the actor this process publishes (its keys, and a digest of its whole document)
 * with the one last announced and, when they differ, sends an `Update` of the city actor to
 * every follower (through the durable queue), then records it as announced. Never throws: a
 * failure is logged and retried at the next start.
 */
export async function announceActorKeys(options: AnnounceActorKeysOptions): Promise<AnnounceActorKeysResult> {
  const { federation, orm, identity, logger } = options;
  try {
    const { thumbprints } = await actorKeyFingerprint(orm);
    const ctx = federation.createContext(new Request(identity.actorId), undefined);
    const actor = await ctx.getActor(identity.city);
    if (!actor?.id) throw new TypeError(`the actor dispatcher has no actor ${identity.city}`);
    const profile = createHash("sha256")
      .update(JSON.stringify(await actor.toJsonLd()))
      .digest("base64url")
      .slice(0, 22);
    const meta = createMetaStore(orm);
    const last = await meta.get(ANNOUNCED_KEY);
    const current = `${thumbprints.join(" ")} profile-${profile}`;
    if (last === current) return { status: "unchanged" };
    const followers = (await createPeerStore(orm).followers()).length;
    if (followers > 0) {
      const keysChanged = last?.split(" profile-")[0] !== thumbprints.join(" ");
      const followersId = ctx.getFollowersUri(identity.city);
      await ctx.sendActivity(
        { identifier: identity.city },
        "followers",
        // Named by the new keys and document: a receiver that saw it already drops a second copy.
        new Update({
          id: new URL(`${actor.id.href}#updates/keys-${thumbprints[0]}-${profile}`),
          actor: actor.id,
          object: actor,
          tos: [PUBLIC_COLLECTION],
          ccs: [followersId],
        }),
        { preferSharedInbox: true },
      );
      logger.info(
        keysChanged
          ? "announced the actor's keys to its followers (Update of the actor)"
          : "announced the actor's profile to its followers (Update of the actor)",
        { followers },
      );
    }
    await meta.set(ANNOUNCED_KEY, current);
    return followers > 0 ? { status: "announced", followers } : { status: "unchanged" };
  } catch (error) {
    const reason = String((error as Error)?.message ?? error);
    logger.error("could not announce the actor's keys or profile; will try again at the next start", { error: reason });
    return { status: "failed", reason };
  }
}
