// What the item page (item.ts) and its per-type sections (item-sections.ts) share, so
// that neither imports the other.
import type { ItemDocument } from "../../node/library/documents.generated.ts";
import { html, type SafeHtml } from "../html.ts";
import type { PageFrame } from "./layout.ts";

/** An item another item links to, resolved when this node holds it. */
export interface LinkedItem {
  readonly href: string;
  readonly title: string;
  readonly type?: string;
}

/** What a section renderer reads: the page frame, the document (of type `D`), its rendered Markdown and linked items. */
export interface SectionContext<D extends ItemDocument = ItemDocument> {
  readonly frame: PageFrame;
  /** The item's document, as its type's generated type. */
  readonly d: D;
  /** Sanitized Markdown field by pointer, in the displayed language. */
  readonly markdown: (pointer: string) => SafeHtml | "";
  readonly linked: ReadonlyMap<string, LinkedItem>;
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

/** One row of the facts list, or nothing when the value is empty. */
export function fact(label: string, value: unknown): SafeHtml | "" {
  if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) return "";
  return html`<div><dt>${label}</dt><dd>${value instanceof Object && !Array.isArray(value) ? value : Array.isArray(value) ? value.join(", ") : String(value)}</dd></div>`;
}
