import Router from "@koa/router";
import type { Context } from "koa";
import type { Orm } from "../db/orm.ts";
import { createPeerStore } from "../db/peer-store.ts";
import type { Library, StoredItem } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { SearchService } from "../search/service.ts";
import { isSortOrder, QueryError, SearchBusyError, type SortOrder } from "../search/service.ts";
import type { FederationService } from "../federation/service.ts";
import { fill } from "../../web/i18n.ts";
import { renderNotFoundPage } from "../../web/templates/message.ts";
import { renderHomePage } from "../../web/templates/home.ts";
import { renderSearchPage, searchFeedUrl, type SearchParams, type SearchView } from "../../web/templates/search.ts";
import { renderCityPage, renderCitiesPage } from "../../web/templates/city.ts";
import { cityHref, itemHref } from "../../web/templates/parts.ts";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { frameFor, loadStaticFiles, sendPage, type WebMiddleware } from "./web-context.ts";
import { cityFilter, createOriginNames } from "./origin-names.ts";
import { createItemPagesRouter } from "./item-pages.ts";
import { createShareStore } from "../db/share-store.ts";
import { textParam } from "./params.ts";
import type { Uploads } from "../library/uploads.ts";
import { cityOf } from "../search/documents.ts";
import { adoptionEntries, MAX_ADOPTIONS_LISTED } from "./adoption-lists.ts";

/** Dependencies of the web pages. */
export interface PagesDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
  readonly orm?: Orm;
  readonly search?: SearchService;
  readonly federationService?: FederationService;
  /** Session, CSRF and HTML error handling of the web routes, built once by the app. */
  readonly web: WebMiddleware;
  /** Uploaded dataset files, for previews on dataset pages. */
  readonly uploads?: Pick<Uploads, "find">;
  /** Folder of the seed datasets' files (`/files/<name>`), for previews. */
  readonly seedFilesDir?: string;
}

const PAGE_SIZE = 20;
const MAX_PAGE = 500;

function pageParam(ctx: Context): number {
  return Math.max(1, Math.min(MAX_PAGE, Number.parseInt(textParam(ctx, "page") ?? "1", 10) || 1));
}

/** Server-rendered public pages: home, search, cities, items (local and peers'), and the static files. */
export function createPagesRouter(deps: PagesDeps): Router {
  const { library, identity, search, web } = deps;
  const router = new Router();
  const statics = loadStaticFiles();
  const frame = (ctx: Context, title: string, section?: Parameters<typeof frameFor>[3]) =>
    frameFor(ctx, identity.name, title, section);
  // Every "signed by", city listing and city count names the verified origin, never the
  // document's own `city` field.
  // Names only (uncached reads): the federation's own peer store keeps the caches.
  const names = createOriginNames({ identity, peers: deps.orm && createPeerStore(deps.orm) });

  router.get("/static/:name", (ctx) => {
    const file = statics.get(ctx.params.name!);
    if (!file) return;
    ctx.type = file.type;
    ctx.set("Cache-Control", "public, max-age=3600");
    ctx.body = file.body;
  });

  router.get("/", ...web.page, async (ctx) => {
    const [latest, facets, peers] = await Promise.all([
      library.list({ limit: 8 }),
      search ? search.search({ limit: 0 }).then((r) => r.facets, unlessBusy) : Promise.resolve(undefined),
      deps.federationService ? deps.federationService.list() : Promise.resolve([]),
    ]);
    const f = { ...frame(ctx, identity.name, "home"), feeds: [] as { href: string; title: string }[] };
    f.feeds.push({ href: "/feed.atom", title: f.t.feedNewest });
    const connected = peers.filter((p) => ["following", "followed", "mutual"].includes(p.state)).length;
    const byCity = facets?.city ?? {};
    const labels = await names.labels([...Object.keys(byCity), ...latest.items.map(cityOf)]);
    const titles = await titlesIn(latest.items, f.locale);
    sendPage(
      ctx,
      200,
      renderHomePage(f, {
        peers: connected,
        total: latest.total,
        latest: latest.items.map((i) => ({
          ...i,
          city: cityOf(i),
          cityName: labels.get(cityOf(i)) ?? cityOf(i),
          title: titles.get(i.id) ?? i.title,
          href: itemHref(i.id, identity.origin),
        })),
        byCity,
        cityNames: labels,
        byType: facets?.type ?? {},
      }),
    );
  });

  router.get("/search", ...web.page, async (ctx) => {
    const yearRaw = textParam(ctx, "year");
    const type = textParam(ctx, "type");
    const sortRaw = textParam(ctx, "sort");
    const params: SearchParams = {
      q: textParam(ctx, "q"),
      type: type && (DOCUMENT_TYPES as readonly string[]).includes(type) ? type : undefined,
      city: textParam(ctx, "city"),
      tag: textParam(ctx, "tag"),
      language: textParam(ctx, "language"),
      year: yearRaw && /^\d{4}$/.test(yearRaw) ? Number(yearRaw) : undefined,
      adopted: textParam(ctx, "adopted") === "1" ? "1" : undefined,
      status: textParam(ctx, "status", 40),
      // An unknown order (an old or edited link) is the default, not an error page.
      sort: sortRaw && isSortOrder(sortRaw) && sortRaw !== "relevance" ? sortRaw : undefined,
      page: pageParam(ctx),
    };
    const f = frame(ctx, params.q ? `${params.q} · ${"search"}` : "Search", "search");
    const empty = { total: 0, results: [], facets: { type: {}, city: {}, tag: {}, lang: {}, year: {}, status: {} } };
    let response = empty as Awaited<ReturnType<SearchService["search"]>>;
    let error: string | undefined;
    let refusal: SearchView["refusal"];
    if (search) {
      const query = {
        type: params.type,
        city: params.city,
        tag: params.tag,
        lang: params.language,
        year: params.year,
        adopted: params.adopted === "1",
        status: params.status,
        sort: params.sort as SortOrder | undefined,
        // Titles and summaries in the reader's language where an item is translated into it.
        locale: f.locale,
        limit: PAGE_SIZE,
        offset: (params.page - 1) * PAGE_SIZE,
      };
      try {
        response = await search.search({ ...query, q: params.q });
      } catch (e) {
        if (!(e instanceof QueryError)) throw e;
        if (e.reason !== "syntax") {
          // Beyond a query limit: a 400 that says which; the box keeps the query to edit.
          refusal = { reason: e.reason, term: e.term, limit: e.limit };
        } else {
          error = e.message;
          // Retry as plain words, so a stray "+" or ":" still finds something.
          response = await search.search({ ...query, q: params.q?.replace(/[+\-:*~^"]/g, " ") }).catch(() => empty);
        }
      }
    }
    sendPage(
      ctx,
      refusal ? 400 : 200,
      renderSearchPage(
        {
          ...f,
          title: params.q ? `${params.q} · ${f.t.search}` : f.t.search,
          scripts: ["search.js"],
          feeds: [{ href: searchFeedUrl(params), title: f.t.feedOfSearch }],
        },
        {
          params,
          total: response.total,
          pageSize: PAGE_SIZE,
          results: response.results.map((r) => ({ ...r, href: itemHref(r.id, identity.origin) })),
          facets: response.facets,
          error,
          refusal,
          allWords: response.allWords,
          shortened: response.shortened,
          cityLabels: await names.labels([
            ...Object.keys(response.facets.city ?? {}),
            ...response.results.map((r) => r.city),
            ...(params.city ? [params.city] : []),
          ]),
        },
      ),
    );
  });

  router.get("/library/cities", ...web.page, async (ctx) => {
    const counts = search ? (await search.search({ limit: 0 })).facets.city : await countCities(library);
    const f = frame(ctx, "Cities", "cities");
    sendPage(ctx, 200, renderCitiesPage({ ...f, title: f.t.cities }, counts, await names.labels(Object.keys(counts))));
  });

  // The city actor's URL (/cities/<handle>) opened in a browser: show the city's page.
  router.get("/cities/:handle", ...web.page, (ctx) => {
    if (ctx.params.handle !== identity.city) return notFound(ctx);
    ctx.redirect(cityHref(identity.name));
  });

  router.get("/library/cities/:city", ...web.page, async (ctx) => {
    const city = ctx.params.city!;
    const page = pageParam(ctx);
    // A peer's host lists that origin's items; a name lists only this node's own items.
    const { total, items } = await library.list({
      ...(await cityFilter(library, city)),
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    });
    const name = (await names.labels([city])).get(city) ?? city;
    const f = frame(ctx, name, "cities");
    if (total === 0) return notFound(ctx);
    const adopted =
      page === 1
        ? await library.list({ ...(await cityFilter(library, city)), type: "Adoption", limit: MAX_ADOPTIONS_LISTED })
        : undefined;
    sendPage(
      ctx,
      200,
      renderCityPage(
        {
          ...f,
          title: fill(f.t.cityItems, { n: total, city: name }),
          feeds: [{ href: `/feed.atom?${new URLSearchParams({ city })}`, title: fill(f.t.feedOfCity, { city: name }) }],
        },
        {
          city,
          name,
          total,
          page,
          pageSize: PAGE_SIZE,
          href: cityHref(city),
          entries: items.map((i) => ({ ...i, href: itemHref(i.id, identity.origin) })),
          adoptions: adopted && (await adoptionEntries({ library, identity, names }, adopted.items, f.locale)),
        },
      ),
    );
  });

  /** Each item's title in the reader's language when it carries that translation, by id; one read for all. */
  async function titlesIn(
    items: readonly { id: string; title: string; language: string }[],
    locale: string,
  ): Promise<Map<string, string>> {
    const titles = new Map(items.map((i) => [i.id, i.title]));
    const others = items.filter((i) => i.language !== locale).map((i) => i.id);
    if (others.length === 0) return titles;
    const stored = await library.getMany(others).catch(() => new Map<string, StoredItem>());
    for (const [id, item] of stored) {
      const translated = (item.document.translations as Record<string, { title?: unknown }> | undefined)?.[locale]
        ?.title;
      if (typeof translated === "string") titles.set(id, translated);
    }
    return titles;
  }

  function notFound(ctx: Context): void {
    const f = frame(ctx, "404");
    sendPage(ctx, 404, renderNotFoundPage({ ...f, title: f.t.notFound }));
  }

  // Items, their past versions and comparisons: item-pages.ts.
  router.use(
    createItemPagesRouter({
      library,
      identity,
      names,
      web,
      shares: deps.orm && createShareStore(deps.orm),
      files: { uploads: deps.uploads, seedFilesDir: deps.seedFilesDir },
    }).routes(),
  );

  return router;
}

/** The home page still renders while the search threads are saturated, without its counts per city. */
function unlessBusy(error: unknown): undefined {
  if (error instanceof SearchBusyError) return undefined;
  throw error;
}

async function countCities(library: Library): Promise<Record<string, number>> {
  const { items } = await library.list({ limit: 500 });
  const out: Record<string, number> = {};
  for (const i of items) out[cityOf(i)] = (out[cityOf(i)] ?? 0) + 1;
  return out;
}
