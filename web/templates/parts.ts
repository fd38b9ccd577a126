import { html, type SafeHtml } from "../html.ts";
import { optionLabel } from "../forms/form-text.ts";
import { fill, type Locale, type Strings } from "../i18n.ts";

/** A theme's name in the reader's language (`citizen-participation` → "Citizen participation"); any other tag as written. */
export function themeName(locale: Locale, tag: string): string {
  return optionLabel(locale, "themes", tag) ?? tag;
}

/** The localized name of a document type. */
export function typeLabel(t: Strings, type: string): string {
  if (type === "CaseStudy") return t.caseStudy;
  if (type === "Pathway") return t.pathway;
  if (type === "Dataset") return t.dataset;
  if (type === "Adoption") return t.adoption;
  return type;
}

/** The localized plural of a document type, for headings and counts. */
export function typePlural(t: Strings, type: string): string {
  if (type === "CaseStudy") return t.caseStudies;
  if (type === "Pathway") return t.pathways;
  if (type === "Dataset") return t.datasets;
  if (type === "Adoption") return t.adoptions;
  return type;
}

/**
 * Where this node shows an item: its own items at their id's path, peers' items (whose ids
 * are on other hosts) at `/library/item?id=`.
 */
export function itemHref(id: string, nodeOrigin: string): string {
  const slug = localSlug(id, nodeOrigin);
  if (slug) return `/items/${slug}`;
  return `/library/item?${new URLSearchParams({ id })}`;
}

/**
 * The slug of one of this node's own item ids (`<origin>/items/<slug>`), or null. The id is
 * compared as text, never normalized: `<origin>/items/../..//evil.example/x` is no item of
 * ours, and a path built from the slug can only ever point at `/items/<slug>` here.
 */
export function localSlug(id: string, nodeOrigin: string): string | null {
  const prefix = `${nodeOrigin}/items/`;
  if (!id.startsWith(prefix)) return null;
  const slug = id.slice(prefix.length);
  return /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/.test(slug) ? slug : null;
}

/** The page of a city's items. */
export function cityHref(city: string): string {
  return `/library/cities/${encodeURIComponent(city)}`;
}

/** What a listing needs to show where an item comes from. */
export interface BadgeSource {
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
}

/** The provenance badge of a result: published here, or from which host and whether its signature checks. */
export function provenanceBadge(t: Strings, item: BadgeSource): SafeHtml {
  if (item.local)
    return html`<span class="badge local">${t.localBadge}</span> <span class="badge ok">${t.verifiedBadge}</span>`;
  const host = safeHost(item.origin);
  return html`<span class="badge local">${fill(t.peerBadge, { host })}</span> ${
    item.verified
      ? html`<span class="badge ok">${t.verifiedBadge}</span>`
      : html`<span class="badge warn">${t.unverifiedBadge}</span>`
  }`;
}

/** The host of a URL, or the text itself when it is not one. */
export function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A date (YYYY-MM-DD) in a `<time>` element. */
export function dateTag(iso: string | undefined): SafeHtml | "" {
  if (!iso) return "";
  return html`<time datetime="${iso}">${iso.slice(0, 10)}</time>`;
}

/** Pager links for a listing. */
export function renderPager(t: Strings, page: number, pages: number, link: (p: number) => string): SafeHtml | "" {
  if (pages <= 1) return "";
  return html`<nav class="pager" aria-label="${t.pages}">
  ${page > 1 ? html`<a rel="prev" href="${link(page - 1)}">← ${t.previous}</a>` : ""}
  <span>${page} / ${pages}</span>
  ${page < pages ? html`<a rel="next" href="${link(page + 1)}">${t.next} →</a>` : ""}
</nav>`;
}
