import { html } from "../html.ts";
import { fill } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { cityHref, dateTag, provenanceBadge, typeLabel, typePlural } from "./parts.ts";

/** One item in the home page's latest list. */
export interface HomeEntry {
  readonly href: string;
  readonly type: string;
  readonly title: string;
  /** The city key of the item's signer (its city page). */
  readonly city: string;
  /** The signer's name for people (a peer's actor name and host). */
  readonly cityName: string;
  readonly updated: string;
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
}

/** What the home page shows. */
export interface HomeView {
  readonly peers: number;
  readonly total: number;
  readonly latest: readonly HomeEntry[];
  readonly byCity: Readonly<Record<string, number>>;
  /** Names for people of the city keys, where they differ from the key. */
  readonly cityNames?: ReadonlyMap<string, string>;
  readonly byType: Readonly<Record<string, number>>;
}

/** Renders the home page: what this node is, a search box, the network's latest items, counts. */
export function renderHomePage(frame: PageFrame, view: HomeView): string {
  const { t } = frame;
  const cities = Object.entries(view.byCity).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return renderLayout(
    frame,
    html`<section class="hero" aria-labelledby="home-h">
  <h1 id="home-h">${t.siteName} · ${frame.cityName}</h1>
  <p class="lede">${t.tagline}</p>
  <p>${fill(t.nodeIntro, { city: frame.cityName, peers: view.peers })}</p>
  <form class="searchbox" role="search" method="get" action="/search">
    <label for="home-q">${t.searchLabel}</label>
    <input type="search" id="home-q" name="q" placeholder="${t.searchPlaceholder}">
    <button type="submit">${t.searchButton}</button>
  </form>
</section>
<div class="grid">
  <section aria-labelledby="latest-h">
    <h2 id="latest-h">${t.latestItems}</h2>
    <ol class="results">
    ${view.latest.map(
      (e) => html`<li>
      <p class="type">${typeLabel(t, e.type)}</p>
      <h3><a href="${e.href}">${e.title}</a></h3>
      <p class="meta"><a href="${cityHref(e.city)}">${e.cityName}</a> ${dateTag(e.updated)} ${provenanceBadge(t, e)}</p>
    </li>`,
    )}
    </ol>
    <p><a href="/search">${t.seeAll} (${view.total} ${t.items})</a></p>
  </section>
  <div>
    <section aria-labelledby="types-h">
      <h2 id="types-h">${t.byType}</h2>
      <ul class="counts">
      ${DOCUMENT_TYPES.map((ty) => html`<li><a href="/search?type=${ty}">${typePlural(t, ty)}</a> <span class="n">${view.byType[ty] ?? 0}</span></li>`)}
      </ul>
    </section>
    <section aria-labelledby="cities-h">
      <h2 id="cities-h">${t.byCity}</h2>
      <ul class="counts">
      ${cities.map(([city, n]) => html`<li><a href="${cityHref(city)}">${view.cityNames?.get(city) ?? city}</a> <span class="n">${n}</span></li>`)}
      </ul>
    </section>
  </div>
</div>`,
  );
}
