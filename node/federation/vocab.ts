import { Temporal } from "@js-temporal/polyfill";
import { LanguageString } from "@fedify/fedify/runtime";
import { Article, Hashtag, Link, PUBLIC_COLLECTION, Tombstone } from "@fedify/fedify/vocab";
import type { StoredItem } from "../library/library.ts";
import { toSignedItemAttachment } from "../signing/signed-item.ts";
import { renderActivityContent } from "../../web/templates/activity-content.ts";

// Items as ActivityStreams objects: the domain's names become wire names here (the
// activities around them are built by the publisher and the outbox dispatcher).

/** Addresses of the sending city, for audience fields. */
export interface ActorAddresses {
  readonly actorId: URL;
  readonly followersId: URL;
  /** This node's origin, for links to its own pages (tag search); default the actor's origin. */
  readonly nodeOrigin?: string;
}

function instant(value: string): Temporal.Instant | null {
  try {
    return Temporal.Instant.from(value);
  } catch {
    return null;
  }
}

/** When a deleted item's Tombstone says it was deleted. */
export function deletedAt(item: StoredItem): Temporal.Instant | null {
  return instant(item.updated);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The item's languages: its own first, then those of its translations. */
function languagesOf(d: Record<string, unknown>): { own: string; translations: [string, Record<string, unknown>][] } {
  const own = text(d.language) ?? "en";
  const translations = Object.entries((d.translations ?? {}) as Record<string, Record<string, unknown>>).filter(
    ([lang, t]) => lang !== own && !!t && typeof t === "object",
  );
  return { own, translations };
}

/** A link to one of a dataset's files, as plain values. */
export interface FileLink {
  readonly href: string;
  readonly mediaType: string | null;
  readonly name: string;
}

/** A dataset's files, as links a reader can follow. */
function distributionLinks(d: Record<string, unknown>): FileLink[] {
  if (d.type !== "Dataset" || !Array.isArray(d.distributions)) return [];
  return (d.distributions as Record<string, unknown>[]).flatMap((x, i) => {
    const href = text(x?.downloadURL) ?? text(x?.accessURL);
    if (!href || !URL.canParse(href)) return [];
    return [
      {
        href: new URL(href).href,
        mediaType: text(x.mediaType) ?? null,
        name: text(x.title) ?? `${String(d.title ?? "")} (${i + 1})`,
      },
    ];
  });
}

/**
 * What an item's Article says, as plain values: the one source of {@link toArticle} and of
 * the outbox entries written without Fedify (outbox-entries.ts).
 */
export interface ArticleFields {
  readonly title: string;
  /** Title, summary and HTML content by language, the item's own first. */
  readonly names: readonly (readonly [string, string])[];
  readonly summaries: readonly (readonly [string, string])[];
  readonly contents: readonly (readonly [string, string])[];
  readonly tags: readonly { readonly name: string; readonly href: string }[];
  readonly files: readonly FileLink[];
  readonly published: Temporal.Instant | null;
  readonly updated: Temporal.Instant | null;
}

/** The plain values of an item's Article (its HTML content rendered here, once per language). */
export function articleFields(item: StoredItem, addresses: ActorAddresses): ArticleFields {
  const d = item.document;
  const nodeOrigin = addresses.nodeOrigin ?? addresses.actorId.origin;
  const tags = [...new Set([...(Array.isArray(d.tags) ? d.tags : []), ...(Array.isArray(d.themes) ? d.themes : [])])]
    .filter((t): t is string => typeof t === "string")
    .map((t) => ({
      name: `#${t.replace(/[\s-]+/g, "_")}`,
      href: new URL(`/search?tag=${encodeURIComponent(t)}`, nodeOrigin).href,
    }));
  const { own, translations } = languagesOf(d);
  const title = String(d.title ?? "");
  const summary = String(d.summary ?? "");
  return {
    title,
    names: [[own, title], ...translations.map(([l, t]) => [l, text(t.title) ?? title] as const)],
    summaries: [[own, summary], ...translations.map(([l, t]) => [l, text(t.summary) ?? summary] as const)],
    contents: [
      [own, renderActivityContent(item)],
      ...translations.map(([l]) => [l, renderActivityContent(item, l)] as const),
    ],
    tags,
    files: distributionLinks(d),
    published: instant(item.published),
    updated: instant(item.updated),
  };
}

/**
 * An item as an ActivityStreams Article that ordinary fediverse software shows: `name`, a
 * `content` with its lead paragraph, its type's structure as headings and lists and a
 * link to its page (and a `contentMap` with each translation), its summary only as
 * `summaryMap` (see docs/federation.md: a plain `summary` is a content warning to snac and
 * Misskey, while Mastodon shows an Article as name, summary and link), hashtags that link
 * to the node's tag search, a dataset's files as links, and the signed document.
 */
export function toArticle(item: StoredItem, addresses: ActorAddresses): Article {
  const f = articleFields(item, addresses);
  const strings = (values: readonly (readonly [string, string])[]) =>
    values.map(([l, value]) => new LanguageString(value, l));
  return new Article({
    id: new URL(item.id),
    attribution: addresses.actorId,
    names: [f.title, ...strings(f.names)],
    summaries: strings(f.summaries),
    contents: [f.contents[0]![1], ...strings(f.contents)],
    mediaType: "text/html",
    sensitive: false,
    url: new URL(item.id),
    published: f.published,
    updated: f.updated,
    tags: f.tags.map((t) => new Hashtag({ name: t.name, href: new URL(t.href) })),
    tos: [PUBLIC_COLLECTION],
    ccs: [addresses.followersId],
    attachments: [
      toSignedItemAttachment(item),
      ...f.files.map((x) => new Link({ href: new URL(x.href), mediaType: x.mediaType, name: x.name })),
    ],
  });
}

/** A deleted item as a Tombstone carrying its signed Tombstone document. */
export function toTombstone(item: StoredItem): Tombstone {
  return new Tombstone({
    id: new URL(item.id),
    deleted: deletedAt(item),
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
