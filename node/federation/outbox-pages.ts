import type { PagePosition } from "../db/item-store.ts";
import type { LocalFeed } from "../library/feed.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { OutboxEntries } from "./outbox-entries.ts";

// The pages of the city's outbox, the walk every new follower's backfill makes. Fedify's
// collection dispatcher (federation.ts) still answers the outbox itself and any request
// this module declines; a page it serves is assembled from the kept entry bytes
// (outbox-entries.ts) without parsing or compacting anything. Same ids, cursors, `next`
// and `partOf` links and headers as Fedify's page, the same JSON-LD once expanded.

/** The cursor of the outbox's first page. */
export const FIRST_CURSOR = "start";

/** A page's cursor: where the previous page ended. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.updated, position.id])).toString("base64url");
}

/** The position a cursor names: null for the first page, undefined for no valid cursor. */
export function decodeCursor(cursor: string): PagePosition | null | undefined {
  if (cursor === FIRST_CURSOR) return null;
  try {
    const [updated, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as [unknown, unknown];
    if (typeof updated === "string" && typeof id === "string") return { updated, id };
  } catch {
    // fall through: a malformed cursor is simply not found
  }
  return undefined;
}

/** The context Fedify 1.5.9 writes on a collection page. */
const PAGE_CONTEXT = [
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/data-integrity/v1",
  {
    toot: "http://joinmastodon.org/ns#",
    misskey: "https://misskey-hub.net/ns#",
    fedibird: "http://fedibird.com/ns#",
    ChatMessage: "http://litepub.social/ns#ChatMessage",
    sensitive: "as:sensitive",
    votersCount: "toot:votersCount",
    Emoji: "toot:Emoji",
    Hashtag: "as:Hashtag",
    quoteUrl: "as:quoteUrl",
    _misskey_quote: "misskey:_misskey_quote",
    quoteUri: "fedibird:quoteUri",
    emojiReactions: { "@id": "fedibird:emojiReactions", "@type": "@id" },
  },
];

const JSON_LD_TYPES = new Set(["application/activity+json", "application/ld+json", "application/json"]);

/**
 * Whether a request with this Accept header takes JSON-LD, as Fedify 1.5.9 decides it
 * (handler.js `acceptsJsonLd` over @std/http's `accepts`): the media ranges ordered by q
 * (then as written), q=0 left out, no header read as any type; the first must not be HTML
 * and an ActivityPub JSON type must be listed. Types compare as written, as there.
 */
export function acceptsJsonLd(accept: string | null): boolean {
  const ranges = (accept || "*/*")
    .split(",")
    .flatMap((part, index) => {
      const match = /^\s*([^\s/;]+)\/([^;\s]+)\s*(?:;(.*))?$/.exec(part.trim());
      if (!match) return [];
      const q = (match[3] ?? "")
        .split(";")
        .map((p) => p.trim().split("="))
        .find(([key]) => key?.toLowerCase() === "q")?.[1];
      return [{ type: `${match[1]}/${match[2]}`, q: q ? Number.parseFloat(q) : 1, index }];
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const first = ranges[0]?.type;
  if (first === undefined || first === "text/html" || first === "application/xhtml+xml") return false;
  return ranges.some((r) => JSON_LD_TYPES.has(r.type));
}

/** Options of {@link createOutboxPages}. */
export interface OutboxPagesOptions {
  readonly feed: Pick<LocalFeed, "page">;
  readonly identity: Pick<NodeIdentity, "actorId" | "city">;
  readonly entries: OutboxEntries;
  /** Items per page (default 100), as Fedify's dispatcher pages them. */
  readonly pageSize?: number;
}

/** Serves outbox pages from kept entries. */
export interface OutboxPages {
  /**
   * The page `url` asks for (`…/outbox?cursor=…`) as UTF-8 JSON, or null when this is not
   * an outbox page of ours with a valid cursor (Fedify then answers, as before).
   */
  page(url: URL): Promise<Buffer | null>;
}

/** The outbox page server of one city. */
export function createOutboxPages(options: OutboxPagesOptions): OutboxPages {
  const { feed, identity, entries } = options;
  const pageSize = options.pageSize ?? 100;
  const outbox = `${identity.actorId}/outbox`;
  const addresses = { actorId: new URL(identity.actorId), followersId: new URL(`${identity.actorId}/followers`) };
  return {
    async page(url) {
      const cursor = url.searchParams.get("cursor");
      if (cursor === null || `${url.origin}${url.pathname}` !== outbox) return null;
      const after = decodeCursor(cursor);
      if (after === undefined) return null;
      const rows = await feed.page(after, pageSize);
      const last = rows.at(-1);
      const id = new URL(outbox);
      id.searchParams.set("cursor", cursor);
      const partOf = new URL(url);
      partOf.searchParams.delete("cursor");
      let next: URL | undefined;
      if (rows.length === pageSize && last) {
        next = new URL(url);
        next.searchParams.set("cursor", encodeCursor({ updated: last.updated, id: last.id }));
      }
      const head = JSON.stringify({
        "@context": PAGE_CONTEXT,
        id: id.href,
        type: "OrderedCollectionPage",
        partOf: partOf.href,
        next: next?.href,
      });
      const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"orderedItems":[`)];
      rows.forEach((item, i) => {
        if (i > 0) parts.push(COMMA);
        parts.push(entries.bytesOf(item, addresses));
      });
      parts.push(CLOSE);
      return Buffer.concat(parts);
    },
  };
}

const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]}");
