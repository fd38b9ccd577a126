// What the item page (item.ts) and its per-type sections (item-sections.ts) share, so
// that neither imports the other.
import type { ItemDocument } from "../../node/library/documents.generated.ts";
import { html, type SafeHtml } from "../html.ts";
import { fill } from "../i18n.ts";
import type { PageFrame } from "./layout.ts";

/**
 * Where this node shows an item, for links to its versions and comparisons: `/items/<slug>`
 * for its own items, `/library/item` with the `id` parameter for a peer's.
 */
export interface ItemAddress {
  readonly path: string;
  readonly id?: string;
}

/** The item's page with query parameters (`version`, `from`, `to`). */
export function itemPageHref(address: ItemAddress, params: Readonly<Record<string, string | number>> = {}): string {
  const qs = new URLSearchParams(address.id ? { id: address.id } : {});
  for (const [key, value] of Object.entries(params)) qs.set(key, String(value));
  const query = qs.toString();
  return query ? `${address.path}?${query}` : address.path;
}

/** An item another item links to, resolved when this node holds it. */
export interface LinkedItem {
  readonly href: string;
  readonly title: string;
  readonly type?: string;
}

/** An item that links to the one shown, as its page lists it. */
export interface LinkingEntry extends LinkedItem {
  readonly id: string;
  readonly lang?: string;
  /** For a peer's item: its origin's host, shown beside it. */
  readonly from?: string;
}

/** The items of one type that link to the one shown: the first few and how many in all. */
export interface LinkingList {
  readonly total: number;
  readonly items: readonly LinkingEntry[];
}

/** What a section renderer reads: the page frame, the document (of type `D`), its rendered Markdown and linked items. */
export interface SectionContext<D extends ItemDocument = ItemDocument> {
  readonly frame: PageFrame;
  /** The item's document, as its type's generated type. */
  readonly d: D;
  /** Sanitized Markdown field by pointer, in the displayed language. */
  readonly markdown: (pointer: string) => SafeHtml | "";
  readonly linked: ReadonlyMap<string, LinkedItem>;
  /** The live items that link to this one, by their type (empty on a past version's page). */
  readonly linking: ReadonlyMap<string, LinkingList>;
  /** A case's "Adopted by" list, already drawn (adoptions.ts); shown instead of its plain list of adoptions. */
  readonly adoptedBy?: SafeHtml | "";
}

/** A string field, if it is one. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** An array field's strings. */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A link to an item id: this node's page for it when held, else the id itself. */
export function itemLink(ctx: SectionContext, id: string, fallbackTitle?: string): SafeHtml {
  const known = ctx.linked.get(id);
  return known ? html`<a href="${known.href}">${known.title}</a>` : html`<a href="${id}">${fallbackTitle ?? id}</a>`;
}

/** A link this item makes, as a list shows it: the item's id and the title the document gives it. */
export interface OutgoingLink {
  readonly href: string;
  readonly title?: string;
}

/**
 * One list of related items from both ends: the links this item makes, then the items of
 * `types` that link to it and are not shown yet, then how many more link to it. "" when empty.
 */
export function bothWays(
  ctx: SectionContext,
  outgoing: readonly OutgoingLink[],
  types: readonly string[],
  /** Ids the page already shows elsewhere, left out of the incoming ones. */
  alsoShown: readonly string[] = [],
): SafeHtml | "" {
  const seen = new Set([...outgoing.map((l) => l.href), ...alsoShown]);
  const incoming: LinkingEntry[] = [];
  let more = 0;
  for (const type of types) {
    const list = ctx.linking.get(type);
    if (!list) continue;
    more += list.total - list.items.length;
    for (const entry of list.items) if (!seen.has(entry.id)) incoming.push(entry);
  }
  if (outgoing.length === 0 && incoming.length === 0) return "";
  const { t } = ctx.frame;
  return html`<ul>${outgoing.map((l) => html`<li>${itemLink(ctx, l.href, l.title)}</li>`)}${incoming.map(
    (e) =>
      html`<li><a href="${e.href}"${e.lang ? html` lang="${e.lang}"` : ""}>${e.title}</a>${e.from ? html` <span class="badge">${fill(t.peerBadge, { host: e.from })}</span>` : ""}</li>`,
  )}</ul>${more > 0 ? html`<p class="meta">${fill(t.moreLinking, { n: more })}</p>` : ""}`;
}

/** One row of the facts list, or nothing when the value is empty. */
export function fact(label: string, value: unknown): SafeHtml | "" {
  if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) return "";
  return html`<div><dt>${label}</dt><dd>${value instanceof Object && !Array.isArray(value) ? value : Array.isArray(value) ? value.join(", ") : String(value)}</dd></div>`;
}
