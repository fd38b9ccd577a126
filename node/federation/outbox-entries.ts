import { LanguageString } from "@fedify/fedify/runtime";
import type { Library, StoredItem } from "../library/library.ts";
import { SIGNED_ITEM_MEDIA_TYPE } from "../signing/signed-item.ts";
import { PUBLIC_URI } from "./public-address.ts";
import { articleFields, deletedAt, type ActorAddresses } from "./vocab.ts";

// The outbox lists each local item as the activity that published its current version
// (Create, Update, or the Delete carrying its signed Tombstone). Fedify would build each
// entry as vocabulary objects and compact it with JSON-LD processing (~20 ms an item, the
// sender's largest cost in a backfill, docs/performance.md); here the same compact JSON is
// written directly, once per item version, and kept as bytes. outbox-entries.test.ts checks
// that it expands (jsonld) to exactly what Fedify's own outbox dispatcher serves.

/** The JSON-LD context Fedify 1.5.9 compacts an activity with, as it writes it. */
export const ACTIVITY_CONTEXT: readonly unknown[] = [
  "https://w3id.org/identity/v1",
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/data-integrity/v1",
  {
    toot: "http://joinmastodon.org/ns#",
    misskey: "https://misskey-hub.net/ns#",
    fedibird: "http://fedibird.com/ns#",
    sensitive: "as:sensitive",
    votersCount: { "@id": "toot:votersCount", "@type": "http://www.w3.org/2001/XMLSchema#nonNegativeInteger" },
    Emoji: "toot:Emoji",
    Hashtag: "as:Hashtag",
    ChatMessage: "http://litepub.social/ns#ChatMessage",
    quoteUrl: "as:quoteUrl",
    _misskey_quote: "misskey:_misskey_quote",
    quoteUri: "fedibird:quoteUri",
    emojiReactions: { "@id": "fedibird:emojiReactions", "@type": "@id" },
  },
];

const SIGNED_ITEM_NAME = "WeGO Exchange signed document (JWS, RFC 8785 canonical JSON payload)";

const languageTags = new Map<string, string>();

/** A language tag as Fedify writes it in a language map (its `LanguageString` normal form). */
function languageTag(tag: string): string {
  let normal = languageTags.get(tag);
  if (normal === undefined) {
    normal = new LanguageString("", tag).language.compact();
    if (languageTags.size < 1000) languageTags.set(tag, normal);
  }
  return normal;
}

function languageMap(values: readonly (readonly [string, string])[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [language, value] of values) map[languageTag(language)] = value;
  return map;
}

/** One value as itself, several as a list: how JSON-LD compaction writes a property. */
function oneOrMany<T>(values: readonly T[]): T | readonly T[] {
  return values.length === 1 ? values[0]! : values;
}

function signedAttachment(item: StoredItem): Record<string, unknown> {
  return {
    type: "Document",
    content: JSON.stringify({ document: item.document, jws: item.jws }),
    mediaType: SIGNED_ITEM_MEDIA_TYPE,
    name: SIGNED_ITEM_NAME,
  };
}

/** The id of the activity that published `item`'s current version. */
export function activityIdOf(item: Pick<StoredItem, "id" | "version" | "deleted">): string {
  const kind = item.deleted ? "delete" : item.version === 1 ? "create" : "update";
  return `${item.id}#v${item.version}-${kind}`;
}

/**
 * The outbox entry of `item`'s current version as compact JSON-LD: the activity Fedify's
 * outbox dispatcher builds for it (federation.ts), with the Public collection in full.
 */
export function outboxEntry(item: StoredItem, addresses: ActorAddresses): Record<string, unknown> {
  const audience = { to: PUBLIC_URI, cc: addresses.followersId.href };
  const actor = addresses.actorId.href;
  if (item.deleted) {
    const deleted = deletedAt(item)?.toString();
    return {
      "@context": ACTIVITY_CONTEXT,
      id: activityIdOf(item),
      type: "Delete",
      actor,
      object: { id: item.id, type: "Tombstone", attachment: signedAttachment(item), deleted },
      published: deleted,
      ...audience,
    };
  }
  const f = articleFields(item, addresses);
  const updated = f.updated?.toString();
  const attachments = [
    signedAttachment(item),
    ...f.files.map((x) => ({ type: "Link", href: x.href, mediaType: x.mediaType ?? undefined, name: x.name })),
  ];
  const article = {
    id: item.id,
    type: "Article",
    attachment: oneOrMany(attachments),
    attributedTo: actor,
    cc: audience.cc,
    content: f.contents[0]![1],
    contentMap: languageMap(f.contents),
    mediaType: "text/html",
    name: f.title,
    nameMap: languageMap(f.names),
    published: f.published?.toString(),
    sensitive: false,
    summaryMap: languageMap(f.summaries),
    tag:
      f.tags.length > 0 ? oneOrMany(f.tags.map((t) => ({ type: "Hashtag", href: t.href, name: t.name }))) : undefined,
    to: audience.to,
    updated,
    url: item.id,
  };
  return {
    "@context": ACTIVITY_CONTEXT,
    id: activityIdOf(item),
    type: item.version === 1 ? "Create" : "Update",
    actor,
    object: article,
    published: updated,
    ...audience,
  };
}

/** Options of {@link createOutboxEntries}. */
export interface OutboxEntriesOptions {
  /** Bytes of entries kept (default 32 MiB); the least recently served go first. */
  readonly maxBytes?: number;
  /** The library whose changes drop an item's entry at once (else only a new version replaces it). */
  readonly library?: Pick<Library, "subscribe">;
}

/** Outbox entries as UTF-8 JSON, each written once per item version and kept within a byte budget. */
export interface OutboxEntries {
  /** The entry of `item`'s current version (from the cache when it holds this version). */
  bytesOf(item: StoredItem, addresses: ActorAddresses): Buffer;
  /** Whether the cache holds the entry of `id` at `version`. */
  holds(id: string, version: number): boolean;
  /** Drops what is kept of `id`: called when the library changes it. */
  forget(id: string): void;
  /** Bytes kept now. */
  readonly size: number;
  /** Stops following the library's changes. */
  close(): void;
}

/** A byte-bounded cache of outbox entries, least recently served evicted first. */
export function createOutboxEntries(options: OutboxEntriesOptions = {}): OutboxEntries {
  const maxBytes = options.maxBytes ?? 32 * 2 ** 20;
  // A Map iterates in insertion order: re-inserting on each hit keeps it in LRU order.
  const kept = new Map<string, { version: number; deleted: boolean; bytes: Buffer }>();
  let size = 0;
  const drop = (id: string) => {
    const old = kept.get(id);
    if (!old) return;
    kept.delete(id);
    size -= old.bytes.byteLength;
  };
  const unsubscribe = options.library?.subscribe((changes) => {
    for (const change of changes) drop(change.kind === "stored" ? change.item.id : change.id);
  });
  return {
    bytesOf(item, addresses) {
      const hit = kept.get(item.id);
      if (hit && hit.version === item.version && hit.deleted === item.deleted) {
        kept.delete(item.id);
        kept.set(item.id, hit);
        return hit.bytes;
      }
      drop(item.id);
      const bytes = Buffer.from(JSON.stringify(outboxEntry(item, addresses)));
      if (bytes.byteLength <= maxBytes / 4) {
        kept.set(item.id, { version: item.version, deleted: item.deleted, bytes });
        size += bytes.byteLength;
        for (const id of kept.keys()) {
          if (size <= maxBytes) break;
          drop(id);
        }
      }
      return bytes;
    },
    holds(id, version) {
      return kept.get(id)?.version === version;
    },
    forget: drop,
    get size() {
      return size;
    },
    close() {
      unsubscribe?.();
    },
  };
}
