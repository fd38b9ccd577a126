import Router from "@koa/router";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { MAX_EXPORT, type SearchResult, type SearchService } from "../search/service.ts";
import { type AtomEntry, renderAtom } from "../outputs/atom.ts";
import { storedDocument } from "../../schemas/catalogue.ts";
import { itemHref } from "../../web/templates/parts.ts";
import type { OriginNames } from "./origin-names.ts";
import { searchFailure, searchFilters } from "./search-params.ts";

/** Dependencies of the feeds. */
export interface FeedsDeps {
  readonly search: SearchService;
  readonly library: Pick<Library, "getMany">;
  readonly identity: NodeIdentity;
  readonly names: Pick<OriginNames, "of">;
}

/** Entries of one feed: a feed reader wants what is new, not the whole library. */
export const FEED_SIZE = 50;

/** The filters a feed takes, as `/api/search` reads them. */
const FEED_FILTERS = ["q", "type", "city", "tag", "lang"] as const;

/**
 * `GET /feed.atom?q=&type=&city=&tag=&lang=`: the network's most recently updated items as
 * Atom 1.0, or those of any search (same filters and limits as `/api/search`).
 */
export function createFeedsRouter(deps: FeedsDeps): Router {
  const { identity } = deps;
  const router = new Router();
  router.get("/feed.atom", async (ctx) => {
    const { q, type, city, tag, lang } = searchFilters(ctx);
    const filters = { q, type, city, tag, lang };
    // Without words, a browse is already newest first; with words, every match (bounded as an
    // export is) is ordered by when it was updated, as a feed reader expects.
    const newest = q
      ? (await deps.search.search({ ...filters, limit: MAX_EXPORT, forExport: true }).catch(searchFailure)).results
          .sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0))
          .slice(0, FEED_SIZE)
      : (await deps.search.search({ ...filters, limit: FEED_SIZE }).catch(searchFailure)).results;
    const query = new URLSearchParams();
    for (const name of FEED_FILTERS) if (filters[name]) query.set(name, filters[name]!);
    const page = new URLSearchParams(query);
    // The search page names the language filter `language` (`lang` picks its interface language).
    if (lang) {
      page.delete("lang");
      page.set("language", lang);
    }
    const suffix = (params: URLSearchParams) => (params.size > 0 ? `?${params}` : "");
    ctx.type = "application/atom+xml; charset=utf-8";
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.body = renderAtom({
      selfUrl: `${identity.origin}/feed.atom${suffix(query)}`,
      pageUrl: `${identity.origin}/search${suffix(page)}`,
      title:
        query.size > 0 ? `${identity.name} · WeGO Exchange: ${describe(filters)}` : `${identity.name} · WeGO Exchange`,
      subtitle: "The newest case studies, pathways and datasets of the WeGO Exchange network, signed by their cities.",
      entries: await entriesOf(newest),
    });
  });

  async function entriesOf(results: readonly SearchResult[]): Promise<AtomEntry[]> {
    const [items, names] = await Promise.all([
      deps.library.getMany(results.map((r) => r.id)),
      deps.names.of(results.map((r) => r.origin)),
    ]);
    const entries: AtomEntry[] = [];
    for (const r of results) {
      const item = items.get(r.id);
      if (!item || item.deleted) continue;
      const d = storedDocument(item.document);
      entries.push({
        id: item.id,
        title: item.title,
        summary: d.summary,
        author: { name: names.get(item.origin)?.label ?? item.origin, uri: item.origin },
        pageUrl: new URL(itemHref(item.id, identity.origin), identity.origin).href,
        documentUrl: `${identity.origin}/api/items?${new URLSearchParams({ id: item.id })}`,
        themes: d.themes ?? [],
        published: item.published,
        updated: item.updated,
      });
    }
    return entries;
  }
  return router;
}

/** The filters of a feed in a few words, for its title: `q "flood", type CaseStudy`. */
function describe(filters: Readonly<Record<(typeof FEED_FILTERS)[number], string | undefined>>): string {
  return FEED_FILTERS.filter((name) => filters[name])
    .map((name) => (name === "q" ? `"${filters[name]}"` : `${name} ${filters[name]}`))
    .join(", ");
}
