import { Readable } from "node:stream";
import { EnumChangefreq, SitemapStream, streamToPromise, type SitemapItemLoose } from "sitemap";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";

/** URLs in one sitemap: the sitemaps.org limit for one file, and what bounds one request's work. */
export const SITEMAP_MAX_URLS = 50_000;

/** Peer cities listed at most (each costs a query). */
const MAX_PEER_CITIES = 1000;

/** Items read per query while listing them. */
const LIST_PAGE = 500;

/**
 * The node's sitemap.xml (sitemaps.org 0.9, written by the `sitemap` package): the home,
 * search and cities pages, each city's page, and the page of every live item this node
 * publishes, with its last change. Peers' items are left out: their pages here name the
 * origin's URL as canonical, and a sitemap lists only its own host's pages.
 */
export async function renderSitemap(deps: {
  readonly library: Library;
  readonly identity: NodeIdentity;
}): Promise<string> {
  const { library, identity } = deps;
  const origin = identity.origin;
  const items: SitemapItemLoose[] = [];
  const cities = new Map<string, string>();
  for (let offset = 0; items.length < SITEMAP_MAX_URLS; offset += LIST_PAGE) {
    const page = await library.list({ local: true, limit: LIST_PAGE, offset });
    for (const item of page.items) {
      items.push({ url: item.id, lastmod: item.updated });
      if (!cities.has(item.city) || item.updated > cities.get(item.city)!) cities.set(item.city, item.updated);
    }
    if (page.items.length < LIST_PAGE) break;
  }
  // Peers' cities have a page here each (their items, as this node verified them).
  const peerOrigins = Object.keys(await library.countByOrigin()).slice(0, MAX_PEER_CITIES);
  const peerCities = await Promise.all(
    peerOrigins.map(async (o) => {
      const newest = (await library.list({ origin: o, local: false, limit: 1 })).items[0];
      return { key: new URL(o).host, lastmod: newest?.updated };
    }),
  );
  // Listed newest first.
  const newest = items[0]?.lastmod;
  const entries: SitemapItemLoose[] = [
    { url: `${origin}/`, lastmod: newest, changefreq: EnumChangefreq.DAILY },
    { url: `${origin}/search`, changefreq: EnumChangefreq.DAILY },
    { url: `${origin}/library/cities`, lastmod: newest, changefreq: EnumChangefreq.WEEKLY },
    ...[...cities].map(([city, lastmod]) => ({ url: cityPage(origin, city), lastmod })),
    ...peerCities.map((c) => ({ url: cityPage(origin, c.key), lastmod: c.lastmod })),
    ...items,
  ].slice(0, SITEMAP_MAX_URLS);
  const stream = new SitemapStream({ hostname: origin });
  return (await streamToPromise(Readable.from(entries).pipe(stream))).toString("utf8");
}

function cityPage(origin: string, city: string): string {
  return `${origin}/library/cities/${encodeURIComponent(city)}`;
}
