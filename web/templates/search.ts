import { html, trusted, type SafeHtml } from "../html.ts";
import { fill, languageName, type Strings } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { type BadgeSource, cityHref, provenanceBadge, renderPager, themeName, typeLabel } from "./parts.ts";
import { type PassagePart, passageHtml } from "./snippet.ts";
import { choice } from "./pathway-parts.ts";

/** The filters of the search page, as they stand in its (shareable) URL. */
export interface SearchParams {
  readonly q?: string;
  readonly type?: string;
  readonly city?: string;
  readonly tag?: string;
  /** Content language (`language=`; `lang=` switches the interface). */
  readonly language?: string;
  readonly year?: number;
  /** An adoption's status. */
  readonly status?: string;
  /** "1": only cases at least one city adopts. */
  readonly adopted?: string;
  /** `newest`, `oldest`, `title` or `adopted`; absent for the default (best match, or recently updated without a query). */
  readonly sort?: string;
  readonly page: number;
}

/** One result as the page shows it: the page's own view model, which pages.ts fills from a search result. */
export interface SearchEntry extends BadgeSource {
  readonly href: string;
  readonly type: string;
  readonly title: string;
  readonly summary: string;
  readonly city: string;
  readonly year: number | null;
  /** The language of the title and summary shown (the reader's when the item is translated into it). */
  readonly language: string;
  /** Where the query's words stand in the item's text (text queries only). */
  readonly passage?: readonly PassagePart[];
}

/** What the search page shows. */
export interface SearchView {
  readonly params: SearchParams;
  readonly total: number;
  readonly pageSize: number;
  readonly results: readonly SearchEntry[];
  readonly facets: Readonly<Record<"type" | "city" | "tag" | "lang" | "year", Readonly<Record<string, number>>>> & {
    readonly status?: Readonly<Record<string, number>>;
  };
  /** Why the query could not run (a parse error), in words. */
  readonly error?: string;
  /** The query was refused for going beyond a limit: the page says which instead of showing results. */
  readonly refusal?: SearchRefusal;
  /** How to show city keys (a peer's host becomes "name (host)"); a key without a label shows as itself. */
  readonly cityLabels?: ReadonlyMap<string, string>;
  /** For a query of several words: how many results have every word (0: none has, the results have some). */
  readonly allWords?: number;
  /** Only the query's first words were searched. */
  readonly shortened?: boolean;
}

/** A search query refused by a limit of the search service (its `QueryError` fields). */
export interface SearchRefusal {
  readonly reason: string;
  readonly term?: string;
  readonly limit?: number;
}

const REFUSALS: Readonly<Record<string, keyof Strings>> = {
  "too-many-terms": "searchRefusedTooManyTerms",
  "term-too-long": "searchRefusedTermTooLong",
  "edit-distance": "searchRefusedEditDistance",
  "fuzzy-too-short": "searchRefusedFuzzyTooShort",
  "wildcard-prefix": "searchRefusedWildcardPrefix",
  "too-broad": "searchRefusedTooBroad",
  "too-slow": "searchRefusedTooSlow",
};

/** What the page says about a refused query, in the reader's language. */
export function refusalMessage(t: Strings, refusal: SearchRefusal): string {
  return fill(t[REFUSALS[refusal.reason] ?? "searchRefusedTooSlow"], {
    term: refusal.term ?? "",
    limit: refusal.limit ?? "",
  });
}

const FILTERS = ["type", "city", "tag", "language", "year", "status", "adopted"] as const;
type Filter = (typeof FILTERS)[number];

/** The URL of the search page for a set of filters (page 1 unless given). */
export function searchUrl(params: Partial<SearchParams>): string {
  const qs = new URLSearchParams();
  if (params.q) qs.set("q", params.q);
  for (const f of FILTERS) {
    const v = params[f];
    if (v !== undefined && v !== "") qs.set(f, String(v));
  }
  if (params.sort) qs.set("sort", params.sort);
  if (params.page && params.page > 1) qs.set("page", String(params.page));
  const s = qs.toString();
  return s ? `/search?${s}` : "/search";
}

/** The filters of a search page as the API and the feed name them (`language` is `lang` there). */
function apiFilters(params: Partial<SearchParams>, names: readonly string[]): URLSearchParams {
  const qs = new URLSearchParams();
  const values: Record<string, unknown> = { ...params, lang: params.language };
  for (const name of names) {
    const v = values[name];
    if (v !== undefined && v !== "") qs.set(name, String(v));
  }
  return qs;
}

/** The Atom feed of a search (its words and filters; a feed is always newest first). */
export function searchFeedUrl(params: Partial<SearchParams>): string {
  const qs = apiFilters(params, ["q", "type", "city", "tag", "lang"]);
  return qs.size > 0 ? `/feed.atom?${qs}` : "/feed.atom";
}

/** Every result of a search, in its order, as a file (`/api/search?…&format=`). */
export function searchExportUrl(params: Partial<SearchParams>, format: "csv" | "jsonl"): string {
  const qs = apiFilters(params, ["q", "type", "city", "tag", "lang", "year", "sort"]);
  qs.set("format", format);
  return `/api/search?${qs}`;
}

function toggled(params: SearchParams, filter: Filter, value: string): string {
  const current = params[filter] === undefined ? undefined : String(params[filter]);
  return searchUrl({ ...params, [filter]: current === value ? undefined : value, page: 1 });
}

function valueLabel(t: Strings, locale: PageFrame["locale"], filter: Filter, value: string): string {
  if (filter === "type") return typeLabel(t, value);
  if (filter === "language") return languageName(value, locale);
  if (filter === "adopted") return t.adoptedFilter;
  if (filter === "status") return choice(locale, "status", value);
  if (filter === "tag") return themeName(locale, value);
  return value;
}

function facetList(
  frame: PageFrame,
  params: SearchParams,
  filter: Filter,
  heading: string,
  counts: Readonly<Record<string, number>>,
  labels?: ReadonlyMap<string, string>,
  max = 15,
): SafeHtml | "" {
  let entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (filter === "year") entries.sort((a, b) => b[0].localeCompare(a[0]));
  else entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const selected = params[filter] === undefined ? undefined : String(params[filter]);
  if (selected && !entries.some(([v]) => v === selected)) entries.unshift([selected, 0]);
  entries = entries.slice(0, max);
  if (entries.length === 0) return "";
  const id = `facet-${filter}`;
  return html`<section aria-labelledby="${id}">
  <h3 id="${id}">${heading}</h3>
  <ul>
  ${entries.map(
    ([value, n]) =>
      html`<li><a href="${toggled(params, filter, value)}"${selected === value ? html` aria-current="true"` : ""}><span>${labels?.get(value) ?? valueLabel(frame.t, frame.locale, filter, value)}${
        selected === value ? html`<span class="visually-hidden"> (${frame.t.removeFilter})</span>` : ""
      }</span> <span class="n">${n}</span></a></li>`,
  )}
  </ul>
</section>`;
}

/** The sort control of the search form: a plain select, applied by the form's button (and at once with JavaScript). */
function sortControl(t: Strings, p: SearchParams): SafeHtml {
  const options: [string, string][] = [
    ["", p.q ? t.sortRelevance : t.sortUpdated],
    ["newest", t.sortNewest],
    ["oldest", t.sortOldest],
    ["title", t.sortTitle],
    ["adopted", t.sortAdopted],
  ];
  return html`<span class="sort"><label for="sort">${t.sortLabel}</label>
  <select id="sort" name="sort">${options.map(
    ([value, label]) =>
      html`<option value="${value}"${(p.sort ?? "") === value ? html` selected` : ""}>${label}</option>`,
  )}</select></span>`;
}

/** `lang` for a text in `language` on a page in `locale`: only when they differ. */
function langAttr(language: string, locale: string): SafeHtml | "" {
  return language && language !== locale ? html` lang="${language}"` : "";
}

/** Renders the search page: query box, facets with counts, results with snippets, pager. */
export function renderSearchPage(frame: PageFrame, view: SearchView): string {
  const { t } = frame;
  const p = view.params;
  const active = FILTERS.filter((f) => p[f] !== undefined && p[f] !== "");
  const pages = Math.max(1, Math.ceil(view.total / view.pageSize));
  const heading = p.q ? fill(t.resultsFor, { n: view.total, q: p.q }) : fill(t.resultsAll, { n: view.total });
  const filterNames: Record<Filter, string> = {
    type: t.type,
    city: t.city,
    tag: t.theme,
    language: t.language,
    year: t.year,
    status: t.adoptionStatus,
    adopted: t.adoption,
  };
  return renderLayout(
    frame,
    html`<h1>${t.search}</h1>
<form class="searchbox" role="search" method="get" action="/search">
  <label for="q">${t.searchLabel}</label>
  <input type="search" id="q" name="q" value="${p.q ?? ""}" placeholder="${t.searchPlaceholder}">
  ${active.map((f) => html`<input type="hidden" name="${f}" value="${String(p[f])}">`)}
  ${sortControl(t, p)}
  <button type="submit">${t.searchButton}</button>
</form>
${view.error ? html`<p class="alert" role="alert">${view.error}</p>` : ""}
${view.refusal ? html`<p class="alert" role="alert">${refusalMessage(t, view.refusal)}</p>` : ""}
${!p.q && active.length === 0 ? html`<p class="notice">${t.emptySearchHelp}</p>` : ""}
<p id="search-status" class="visually-hidden" role="status"></p>
<div class="search-layout">
  <aside class="facets" aria-labelledby="filters-h">
    <details class="filters">
    <summary><h2 id="filters-h">${t.filters} <span class="chosen">${fill(t.filtersChosen, { n: active.length })}</span></h2></summary>
    ${facetList(frame, p, "type", t.type, view.facets.type)}
    ${facetList(frame, p, "city", t.city, view.facets.city, view.cityLabels)}
    ${facetList(frame, p, "tag", t.theme, view.facets.tag)}
    ${facetList(frame, p, "language", t.language, view.facets.lang)}
    ${facetList(frame, p, "year", t.year, view.facets.year)}
    ${facetList(frame, p, "status", t.adoptionStatus, view.facets.status ?? {})}
    <section aria-labelledby="facet-adopted"><h3 id="facet-adopted">${t.adoption}</h3><ul><li><a href="${toggled(p, "adopted", "1")}"${p.adopted === "1" ? html` aria-current="true"` : ""}><span>${t.adoptedFilter}${p.adopted === "1" ? html`<span class="visually-hidden"> (${t.removeFilter})</span>` : ""}</span></a></li></ul></section>
    </details>
  </aside>
  <section aria-labelledby="results-h">
    <h2 id="results-h">${heading}</h2>
    ${
      active.length
        ? html`<ul class="active-filters" aria-label="${t.filters}">
      ${active.map((f) => html`<li><a href="${searchUrl({ ...p, [f]: undefined, page: 1 })}">${filterNames[f]}: ${(f === "city" ? view.cityLabels?.get(String(p[f])) : undefined) ?? valueLabel(t, frame.locale, f, String(p[f]))} <span aria-hidden="true">×</span><span class="visually-hidden"> (${t.removeFilter})</span></a></li>`)}
      <li><a href="${searchUrl({ q: p.q, sort: p.sort })}">${t.clearFilters}</a></li>
    </ul>`
        : ""
    }
    ${
      view.total === 0 && !view.refusal && (p.q || active.length)
        ? html`<div class="notice"><p><strong>${p.q ? fill(t.noResults, { q: p.q }) : fill(t.resultsAll, { n: 0 })}</strong></p><p>${t.noResultsHelp}</p>
      ${active.length ? html`<p><a href="${searchUrl({ q: p.q, sort: p.sort })}">${t.clearFilters}</a></p>` : ""}</div>`
        : ""
    }
    ${view.shortened ? html`<p class="notice">${t.shortenedNotice}</p>` : ""}
    ${view.allWords === 0 && view.total > 0 ? html`<p class="notice">${t.someWordsNotice}</p>` : ""}
    <ol class="results">
    ${view.results.map(
      (r) => html`<li>
      <p class="type">${typeLabel(t, r.type)}</p>
      <h3${langAttr(r.language, frame.locale)}><a href="${r.href}">${r.title}</a></h3>
      ${r.passage?.length ? html`<p>${trusted(passageHtml(r.passage))}</p>` : html`<p${langAttr(r.language, frame.locale)}>${r.summary}</p>`}
      <p class="meta"><a href="${cityHref(r.city)}">${view.cityLabels?.get(r.city) ?? r.city}</a>${r.year ? html` <span class="year">${r.year}</span>` : ""} <span>${languageName(r.language, frame.locale)}</span> ${provenanceBadge(t, r)}</p>
    </li>`,
    )}
    </ol>
    ${renderPager(t, p.page, pages, (n) => searchUrl({ ...p, page: n }))}
    ${
      view.total > 0
        ? html`<aside class="export" aria-labelledby="export-h">
      <h2 id="export-h" class="h3">${t.exportHeading}</h2>
      <p>${t.exportNote}</p>
      <ul class="inline-list">
        <li><a href="${searchExportUrl(p, "csv")}" download>${t.exportCsv}</a></li>
        <li><a href="${searchExportUrl(p, "jsonl")}" download>${t.exportJsonl}</a></li>
        <li><a href="${searchFeedUrl(p)}" type="application/atom+xml">${t.feedOfSearch}</a></li>
      </ul>
    </aside>`
        : ""
    }
  </section>
</div>`,
  );
}
