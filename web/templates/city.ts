import { html } from "../html.ts";
import { fill } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { cityHref, dateTag, provenanceBadge, renderPager, typeLabel } from "./parts.ts";

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
