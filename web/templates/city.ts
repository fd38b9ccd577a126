import { html, type SafeHtml } from "../html.ts";
import { fill } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { cityHref, dateTag, provenanceBadge, renderPager, safeHost, typeLabel } from "./parts.ts";
import { adoptionStatus, type AdoptionEntry } from "./adoptions.ts";

/** One item on a city's page. */
export interface CityEntry {
  readonly href: string;
  readonly type: string;
  readonly title: string;
  readonly updated: string;
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
}

/** What a city's page shows. */
export interface CityView {
  /** The city key (a local city name, or a peer's host), as in the page's URL and the search filter. */
  readonly city: string;
  /** The city's name for people: a peer's actor name and host. */
  readonly name: string;
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly href: string;
  readonly entries: readonly CityEntry[];
  /** The cases this city adopts, from its signed adoptions (first page only). */
  readonly adoptions?: readonly AdoptionEntry[];
}

/** What a city adopts and from whom: each case, the city that published it, the status and date. */
function renderCityAdoptions(frame: PageFrame, entries: readonly AdoptionEntry[]): SafeHtml {
  const { t, locale } = frame;
  return html`<h2 id="city-adoptions-h">${t.cityAdoptions}</h2>
<div class="table-wrap"><table class="stack" aria-labelledby="city-adoptions-h">
<thead><tr><th scope="col">${t.caseLabel}</th><th scope="col">${t.adoptedFrom}</th><th scope="col">${t.status}</th><th scope="col">${t.since}</th></tr></thead>
<tbody>${entries.map(
    (e) =>
      html`<tr><td data-label="${t.caseLabel}"><a href="${e.caseHref ?? e.href}">${e.caseTitle ?? e.caseId}</a></td><td data-label="${t.adoptedFrom}">${e.caseCity ?? safeHost(e.caseId)}</td><td data-label="${t.status}"><a href="${e.href}">${adoptionStatus(locale, e.status)}</a></td><td data-label="${t.since}"><time datetime="${e.date}">${e.date}</time></td></tr>`,
  )}</tbody></table></div>
<h2 id="city-items-h">${t.library}</h2>`;
}

/** Renders one city's page: its items, newest first. */
export function renderCityPage(frame: PageFrame, view: CityView): string {
  const { t } = frame;
  const pages = Math.max(1, Math.ceil(view.total / view.pageSize));
  return renderLayout(
    frame,
    html`<p class="type">${t.city}</p>
<h1>${view.name}</h1>
<p class="lede">${fill(t.cityItems, { n: view.total, city: view.name })} · <a href="/search?${new URLSearchParams({ city: view.city })}">${t.search}</a></p>
${view.adoptions?.length ? renderCityAdoptions(frame, view.adoptions) : ""}
<ol class="results">
${view.entries.map(
  (e) =>
    html`<li><p class="type">${typeLabel(t, e.type)}</p><h2 class="h3"><a href="${e.href}">${e.title}</a></h2><p class="meta">${dateTag(e.updated)} ${provenanceBadge(t, e)}</p></li>`,
)}
</ol>
${renderPager(t, view.page, pages, (p) => `${view.href}?page=${p}`)}`,
  );
}

/** Renders the list of cities in the network with their item counts (keys named by `names`). */
export function renderCitiesPage(
  frame: PageFrame,
  counts: Readonly<Record<string, number>>,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  const { t } = frame;
  const cities = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return renderLayout(
    frame,
    html`<h1>${t.cities}</h1>
<p class="lede">${t.citiesIntro}</p>
<ul class="counts">
${cities.map(([city, n]) => html`<li><a href="${cityHref(city)}">${names.get(city) ?? city}</a> <span class="n">${n} ${t.items}</span></li>`)}
</ul>`,
  );
}
