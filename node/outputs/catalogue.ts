import type { Quad } from "n3";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { fill, LOCALES, stringsFor } from "../../web/i18n.ts";
import { storedDocument } from "../../schemas/catalogue.ts";
import { buildCatalogueGraph, type CataloguePage, type LanguageMap } from "./dcat-graph.ts";

/** Datasets on one page of the catalogue: ckanext-dcat's default, and what bounds one request's work. */
export const CATALOGUE_PAGE_SIZE = 100;

/** Which datasets a catalogue lists: the node's own, or its verified peers' as well. */
export type CatalogueScope = "local" | "network";

/** What a catalogue page is asked for. */
export interface CatalogueRequest {
  readonly scope: CatalogueScope;
  /** 1-based. */
  readonly page: number;
  /** The URL the catalogue was asked at without its query (e.g. `<origin>/catalog.ttl`): paging links point back to it. */
  readonly url: string;
}

/** Reads the datasets of a catalogue page from the library and builds its DCAT-AP graph. */
export interface Catalogue {
  /** The page's graph, or null for a page past the last one. */
  page(request: CatalogueRequest): Promise<Quad[] | null>;
}

/** Creates the DCAT-AP catalogue of a node's library. */
export function createCatalogue(deps: { readonly library: Library; readonly identity: NodeIdentity }): Catalogue {
  const { library, identity } = deps;
  return {
    async page({ scope, page, url }) {
      const filter = scope === "local" ? { local: true } : { verified: true };
      const { total, items } = await library.list({
        ...filter,
        type: "Dataset",
        limit: CATALOGUE_PAGE_SIZE,
        offset: (page - 1) * CATALOGUE_PAGE_SIZE,
      });
      const last = Math.max(1, Math.ceil(total / CATALOGUE_PAGE_SIZE));
      if (page > last) return null;
      const stored = await library.getMany(items.map((i) => i.id));
      // The list is newest first, so its first entry dates the catalogue; a later page asks once more.
      const newest = page === 1 ? items[0] : (await library.list({ ...filter, type: "Dataset", limit: 1 })).items[0];
      const pageUrl = (n: number) =>
        `${url}?${new URLSearchParams({ ...(scope === "network" ? { scope } : {}), page: String(n) })}`;
      const paging: CataloguePage = {
        iri: pageUrl(page),
        totalItems: total,
        itemsPerPage: CATALOGUE_PAGE_SIZE,
        first: pageUrl(1),
        last: pageUrl(last),
        next: page < last ? pageUrl(page + 1) : undefined,
        previous: page > 1 ? pageUrl(page - 1) : undefined,
      };
      const key = scope === "local" ? "catalogue" : "catalogueNetwork";
      const described = (field: "Title" | "Description"): LanguageMap =>
        Object.fromEntries(LOCALES.map((l) => [l, fill(stringsFor(l)[`${key}${field}`], { city: identity.name })]));
      return buildCatalogueGraph(
        {
          iri: scope === "local" ? `${identity.origin}/catalog` : `${identity.origin}/catalog?scope=network`,
          title: described("Title"),
          description: described("Description"),
          publisher: { iri: identity.actorId, name: identity.name },
          homepage: `${identity.origin}/`,
          languages: LOCALES,
          modified: newest?.updated,
        },
        items.flatMap((i) => {
          const item = stored.get(i.id);
          return item && item.type === "Dataset" && !item.deleted
            ? [{ document: storedDocument(item.document, "Dataset"), page: item.id }]
            : [];
        }),
        paging,
      );
    },
  };
}
