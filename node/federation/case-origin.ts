import type { Context, Recipient } from "@fedify/fedify";
import { isActor } from "@fedify/fedify/vocab";
import { LRUCache } from "lru-cache";
import type { PeerStore } from "../db/peer-store.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { Library } from "../library/library.ts";
import type { StoredItem } from "../library/model.ts";
import type { Logger } from "../log.ts";

// Where an Adoption goes besides the adopter's followers: the inbox of the city that
// published the adopted case (DESIGN.md, "Adoption"). The case's city is read from what the
// node holds (a peer's verified case names its actor), else from the case's own URL,
// fetched through the node's document loader (the outbound guard). Either way the actor
// must be on the case's origin, and its inbox on the actor's: an adoption cannot be used to
// make the node deliver to an address the case's city does not own.

/** Options of {@link createCaseOrigins}. */
export interface CaseOriginsOptions {
  readonly library: Pick<Library, "get">;
  readonly peers: Pick<PeerStore, "get">;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
}

/** Finds the city to tell about an adoption. */
export interface CaseOrigins {
  /**
   * The recipient of a local Adoption version (a Tombstone: of the version before it): the
   * actor that published its case; null for a case of this node, or one whose city cannot
   * be found.
   */
  recipientFor(ctx: Context<void>, item: StoredItem): Promise<Recipient | null>;
}

const URL_PATTERN = /^https?:\/\/\S+$/;

function hrefOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string")
    return (value as { id: string }).id;
  return null;
}

/** Builds the resolver; a case's city is remembered for ten minutes (a status update needs no fetch). */
export function createCaseOrigins(options: CaseOriginsOptions): CaseOrigins {
  const { library, peers, identity, logger } = options;
  const sender = { identifier: identity.city };
  const cache = new LRUCache<string, { recipient: Recipient | null }>({ max: 2_000, ttl: 10 * 60_000 });

  async function caseOf(item: StoredItem): Promise<string | null> {
    const document = item.deleted ? (await library.get(item.id, item.version - 1))?.document : item.document;
    const id = document?.case;
    return typeof id === "string" && URL_PATTERN.test(id) ? id : null;
  }

  async function actorOfCase(ctx: Context<void>, caseId: string): Promise<string | null> {
    const held = await library.get(caseId);
    if (held && !held.local) return hrefOf(held.document.attributedTo);
    const loader = await ctx.getDocumentLoader(sender);
    const { document } = await loader(caseId);
    return hrefOf((document as { attributedTo?: unknown } | null)?.attributedTo);
  }

  async function resolve(ctx: Context<void>, caseId: string): Promise<Recipient | null> {
    const caseOrigin = new URL(caseId).origin;
    const actorId = await actorOfCase(ctx, caseId);
    if (!actorId || !URL.canParse(actorId) || new URL(actorId).origin !== caseOrigin) {
      logger.info("an adoption's case names no actor on its own origin", { case: caseId, actor: actorId });
      return null;
    }
    const peer = await peers.get(actorId);
    if (peer?.inbox)
      return {
        id: new URL(actorId),
        inboxId: new URL(peer.inbox),
        endpoints: peer.sharedInbox ? { sharedInbox: new URL(peer.sharedInbox) } : null,
      };
    const actor = await ctx.lookupObject(actorId, { documentLoader: await ctx.getDocumentLoader(sender) });
    if (!isActor(actor) || actor.id?.href !== actorId || actor.inboxId?.origin !== caseOrigin) {
      logger.info("an adoption's case names an actor without an inbox on its origin", { case: caseId, actorId });
      return null;
    }
    const shared = actor.endpoints?.sharedInbox;
    return {
      id: actor.id,
      inboxId: actor.inboxId,
      endpoints: shared && shared.origin === caseOrigin ? { sharedInbox: shared } : null,
    };
  }

  return {
    async recipientFor(ctx, item) {
      if (item.type !== "Adoption") return null;
      const caseId = await caseOf(item);
      if (!caseId || new URL(caseId).origin === identity.origin) return null;
      const cached = cache.get(caseId);
      if (cached) return cached.recipient;
      const recipient = await resolve(ctx, caseId).catch((error: unknown) => {
        logger.warn("could not find the city of an adopted case; the adoption reaches followers only", {
          case: caseId,
          error: String((error as Error)?.message ?? error).slice(0, 300),
        });
        return undefined;
      });
      // A failure is not remembered: the next version tries again.
      if (recipient !== undefined) cache.set(caseId, { recipient });
      return recipient ?? null;
    },
  };
}
