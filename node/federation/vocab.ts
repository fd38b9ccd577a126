import { Temporal } from "@js-temporal/polyfill";
import { Article, Document, Hashtag, PUBLIC_COLLECTION, Tombstone, type Object as APObject } from "@fedify/fedify/vocab";
import type { StoredItem } from "../library/library.ts";

// The only module that speaks ActivityStreams for items: the domain's names stay here.

import { SIGNED_ITEM_MEDIA_TYPE } from "../signing/verify.ts";

export { SIGNED_ITEM_MEDIA_TYPE };

/** Largest signed payload accepted from a peer (document + JWS as JSON text). */
export const MAX_SIGNED_BYTES = 1_500_000;

/** A document and its detached JWS, as carried inside an object. */
export interface SignedDocument {
  readonly document: Record<string, unknown>;
  readonly jws: string;
}

/** Addresses of the sending city, for audience fields. */
export interface ActorAddresses {
  readonly actorId: URL;
  readonly followersId: URL;
}

function signedAttachment(item: StoredItem): Document {
  // A JSON string in a standard property survives Fedify's parsing and re-serialization
  // byte for byte (extension properties do not), so a receiver verifies exactly what we signed.
  return new Document({
    name: "WeGO Exchange signed document (JWS, RFC 8785 canonical JSON payload)",
    mediaType: SIGNED_ITEM_MEDIA_TYPE,
    content: JSON.stringify({ document: item.document, jws: item.jws }),
  });
}

function instant(value: string): Temporal.Instant | null {
  try {
    return Temporal.Instant.from(value);
  } catch {
    return null;
  }
}

/**
 * An item as an ActivityStreams Article that ordinary fediverse software shows (name,
 * summary, sanitized HTML content, url, tags), carrying the signed document.
 */
export function toArticle(item: StoredItem, addresses: ActorAddresses): Article {
  const d = item.document;
  const tags = [...(Array.isArray(d.tags) ? d.tags : []), ...(Array.isArray(d.themes) ? d.themes : [])]
    .filter((t): t is string => typeof t === "string")
    .map((t) => new Hashtag({ name: `#${t.replace(/\s+/g, "_")}` }));
  return new Article({
    id: new URL(item.id),
    attribution: addresses.actorId,
    name: String(d.title ?? ""),
    summary: String(d.summary ?? ""),
    content: item.html["/body"] ?? `<p>${String(d.summary ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`,
    mediaType: "text/html",
    url: new URL(item.id),
    published: instant(item.published),
    updated: instant(item.updated),
    tags,
    tos: [PUBLIC_COLLECTION],
    ccs: [addresses.followersId],
    attachments: [signedAttachment(item)],
  });
}

/** A deleted item as a Tombstone carrying its signed Tombstone document. */
export function toTombstone(item: StoredItem): Tombstone {
  return new Tombstone({
    id: new URL(item.id),
    deleted: instant(item.updated),
    attachments: [signedAttachment(item)],
  });
}

/**
 * The signed document an object carries, or a reason it carries none. Reads only
 * what the object holds: never fetches anything.
 */
export async function extractSigned(object: APObject): Promise<{ ok: true; signed: SignedDocument } | { ok: false; reason: string }> {
  let found: string | undefined;
  // A loader that refuses: an attachment given only as a URL is never fetched.
  const refuse = () => Promise.reject(new Error("attachments are not fetched"));
  for await (const attachment of object.getAttachments({ suppressError: true, documentLoader: refuse, contextLoader: refuse })) {
    if (attachment instanceof Document && attachment.mediaType === SIGNED_ITEM_MEDIA_TYPE) {
      const content = attachment.content;
      if (typeof content === "string") found = content;
      break;
    }
  }
  if (found === undefined) return { ok: false, reason: "the object carries no signed document" };
  if (found.length > MAX_SIGNED_BYTES) return { ok: false, reason: "the signed document is too large" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(found);
  } catch {
    return { ok: false, reason: "the signed document is not JSON" };
  }
  const { document, jws } = (parsed ?? {}) as { document?: unknown; jws?: unknown };
  if (!document || typeof document !== "object" || Array.isArray(document) || typeof jws !== "string") {
    return { ok: false, reason: "the signed document lacks document or jws" };
  }
  return { ok: true, signed: { document: document as Record<string, unknown>, jws } };
}

/** The URL a link property of plain (unprocessed) JSON holds: a string, or an object's `id`; else null. */
export function linkHref(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { id?: unknown }).id === "string") return (value as { id: string }).id;
  return null;
}
