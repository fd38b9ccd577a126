import { Temporal } from "@js-temporal/polyfill";
import { Article, Hashtag, PUBLIC_COLLECTION, Tombstone } from "@fedify/fedify/vocab";
import type { StoredItem } from "../library/library.ts";
import { toSignedItemAttachment } from "../signing/signed-item.ts";
import { renderActivityContent } from "../../web/templates/activity-content.ts";

// Items as ActivityStreams objects: the domain's names become wire names here (the
// activities around them are built by the publisher and the outbox dispatcher).

/** Addresses of the sending city, for audience fields. */
export interface ActorAddresses {
  readonly actorId: URL;
  readonly followersId: URL;
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
    content: renderActivityContent(item.html["/body"], String(d.summary ?? "")),
    mediaType: "text/html",
    url: new URL(item.id),
    published: instant(item.published),
    updated: instant(item.updated),
    tags,
    tos: [PUBLIC_COLLECTION],
    ccs: [addresses.followersId],
    attachments: [toSignedItemAttachment(item)],
  });
}

/** A deleted item as a Tombstone carrying its signed Tombstone document. */
export function toTombstone(item: StoredItem): Tombstone {
  return new Tombstone({
    id: new URL(item.id),
    deleted: instant(item.updated),
    attachments: [toSignedItemAttachment(item)],
  });
}

/** The URL a link property of plain (unprocessed) JSON holds: a string, or an object's `id`; else null. */
export function linkHref(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { id?: unknown }).id === "string")
    return (value as { id: string }).id;
  return null;
}
