import type { Object as APObject } from "@fedify/fedify/vocab";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { DocumentValidator } from "../library/validation.ts";
import { readSignedItemOfJson, readSignedItemOfObject, type SignedItemReading } from "../signing/signed-item.ts";
import { verifySignedDocument, type KeyLoader } from "../signing/verify.ts";
import type { Logger } from "../log.ts";
import type { PeerStore } from "../db/peer-store.ts";
import type { UnsolicitedGate } from "./unsolicited.ts";

/** What ingest needs. */
export interface IngestDeps {
  readonly library: Library;
  readonly validator: DocumentValidator;
  readonly peers: PeerStore;
  readonly loadKeys: KeyLoader;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
  /** When set, only items whose origin host is listed are kept (WeGO membership mode). */
  readonly allowlist?: readonly string[] | null;
  /**
   * What an actor this node does not follow may still deliver: an adoption of one of this
   * node's cases (unsolicited.ts). Without it, only followed peers' deliveries are kept.
   */
  readonly unsolicited?: UnsolicitedGate;
}

/** Outcome of one ingest: stored (or already held), or refused with the reason. */
export type IngestOutcome =
  | {
      readonly ok: true;
      readonly status: "stored" | "deleted" | "unchanged";
      readonly id: string;
      readonly version: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Verifies an item object a peer delivered (or we fetched while backfilling) and stores
 * it. The signature is checked against the origin's own keys whoever delivered it; the
 * deliverer must be a peer we follow, unless the item is another city's adoption of one of
 * this node's own cases (its origin city learns who adopted it); blocked hosts are refused. Everything refused is
 * logged with its reason and leaves nothing behind.
 */
export async function ingestObject(deps: IngestDeps, object: APObject, deliveredBy: URL): Promise<IngestOutcome> {
  const extracted = await readSignedItemOfObject(object);
  return ingestSigned(
    deps,
    { objectId: object.id?.href ?? null, attribution: object.attributionId?.href, extracted },
    deliveredBy,
  );
}

/**
 * As {@link ingestObject}, for an item object still in its compact JSON form (a backfill
 * page read without JSON-LD processing, which costs more than verifying the signature).
 */
export function ingestJsonObject(deps: IngestDeps, json: unknown, deliveredBy: URL): Promise<IngestOutcome> {
  const o = (json ?? {}) as { id?: unknown; attributedTo?: unknown };
  const extracted = readSignedItemOfJson(json);
  return ingestSigned(
    deps,
    {
      objectId: typeof o.id === "string" ? o.id : null,
      attribution: typeof o.attributedTo === "string" ? o.attributedTo : undefined,
      extracted,
    },
    deliveredBy,
  );
}

async function ingestSigned(
  deps: IngestDeps,
  item: { objectId: string | null; attribution: string | undefined; extracted: SignedItemReading },
  deliveredBy: URL,
): Promise<IngestOutcome> {
  const refuse = (reason: string): IngestOutcome => {
    deps.logger.info("refused an item", { reason, object: item.objectId, deliveredBy: deliveredBy.href });
    return { ok: false, reason };
  };
  const deliverer = deliveredBy.host.toLowerCase();
  if (await deps.peers.isBlocked(deliverer)) return refuse(`${deliverer} is blocked`);
  const peer = await deps.peers.get(deliveredBy.href);
  const { extracted } = item;
  if (peer?.weFollow !== "accepted") {
    const notFollowed = `${deliveredBy.href} is not a peer this node follows`;
    const why =
      deps.unsolicited && extracted.ok
        ? await deps.unsolicited.admit(extracted.signed.document, deliveredBy)
        : notFollowed;
    if (why) return refuse(why);
  }
  if (!extracted.ok) return refuse(extracted.reason);
  const { document, jws } = extracted.signed;
  if (item.objectId !== document.id) return refuse("the object id differs from the signed document's id");
  if (item.attribution !== undefined && item.attribution !== document.attributedTo)
    return refuse("the object is attributed to another actor than the signed document");
  const verified = await verifySignedDocument(document, jws, {
    checkDocument: (d) => deps.validator.validate(d),
    loadKeys: deps.loadKeys,
  });
  if (!verified.ok) return refuse(verified.reason);
  if (verified.origin === deps.identity.origin) return refuse("the item claims this node's own origin");
  const originHost = new URL(verified.origin).host.toLowerCase();
  if (await deps.peers.isBlocked(originHost)) return refuse(`the item's origin ${verified.origin} is blocked`);
  // Relayed and backfilled items too: membership applies to who signed, not who delivered.
  if (deps.allowlist && !deps.allowlist.includes(originHost))
    return refuse(`the item's origin ${verified.origin} is not on the allowlist`);
  const result = await deps.library.ingest({
    document,
    jws,
    canonical: verified.canonical,
    origin: verified.origin,
    provenance: { via: deliveredBy.href, receivedAt: new Date().toISOString(), kid: verified.kid },
  });
  if (!result.ok)
    return refuse(`${result.reason}: this node holds version ${result.heldVersion}, got ${verified.version}`);
  deps.logger.debug("ingested an item", {
    id: verified.id,
    version: verified.version,
    status: result.status,
    via: deliveredBy.href,
  });
  return { ok: true, status: result.status, id: verified.id, version: verified.version };
}
