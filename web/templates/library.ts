import { html } from "../html.ts";
import type { Strings } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";

/** One item in a listing. */
export interface LibraryEntry {
  readonly id: string;
  readonly href: string;
  readonly type: string;
  readonly title: string;
  readonly city: string;
  readonly updated: string;
  readonly version: number;
}

/** The home page: the node's library, newest first, filterable by type. */
export interface LibraryPage {
  readonly total: number;
  readonly entries: readonly LibraryEntry[];
  readonly type?: string;
  readonly page: number;
  readonly pageSize: number;
}

/** The localized name of a document type. */
export function typeLabel(t: Strings, type: string): string {
  if (type === "CaseStudy") return t.caseStudy;
  if (type === "Pathway") return t.pathway;
  if (type === "Dataset") return t.dataset;
  return type;
}

/** Renders the home page listing the library. */
export function renderLibraryPage(frame: PageFrame, page: LibraryPage): string {
  const { t } = frame;
  const types = ["CaseStudy", "Pathway", "Dataset"];
  const link = (p: number) => `/?${new URLSearchParams({ ...(page.type ? { type: page.type } : {}), page: String(p) })}`;
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  return renderLayout(
    frame,
    html`<h1>${frame.cityName} · ${t.latest}</h1>
<nav class="filters" aria-label="${t.library}">
  <a href="/"${page.type ? "" : html` aria-current="page"`}>${t.all}</a>
  ${types.map((ty) => html`<a href="/?type=${ty}"${page.type === ty ? html` aria-current="page"` : ""}>${typeLabel(t, ty)}</a>`)}
</nav>
<p class="count">${page.total} ${t.items}</p>
${page.entries.length === 0 ? html`<p>${t.noItems}</p>` : ""}
<ol class="library">
${page.entries.map(
  (e) => html`<li>
  <span class="type type-${e.type}">${typeLabel(t, e.type)}</span>
  <a href="${e.href}">${e.title}</a>
  <span class="meta">${e.city} · ${t.version} ${e.version} · <time datetime="${e.updated}">${e.updated.slice(0, 10)}</time></span>
</li>`,
)}
</ol>
<nav class="pager" aria-label="pages">
  ${page.page > 1 ? html`<a rel="prev" href="${link(page.page - 1)}">${t.previous}</a>` : ""}
  <span>${page.page} / ${pages}</span>
  ${page.page < pages ? html`<a rel="next" href="${link(page.page + 1)}">${t.next}</a>` : ""}
</nav>`,
  );
}
