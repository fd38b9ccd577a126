import Router from "@koa/router";
import type { Context } from "koa";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { createCatalogue } from "../outputs/catalogue.ts";
import { createOutputCache } from "../outputs/output-cache.ts";
import { RDF_MEDIA_TYPES, type RdfFormat, serializeRdf } from "../outputs/rdf-serialize.ts";
import { HttpError } from "./errors.ts";
import { intParam, oneParam } from "./params.ts";

/** Dependencies of `/catalog`. */
export interface CatalogDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
}

/** The highest page number asked for before the catalogue is read at all. */
const MAX_PAGE = 10_000;

const EXTENSIONS: Readonly<Record<string, RdfFormat>> = { ttl: "turtle", jsonld: "jsonld", rdf: "rdfxml" };

/**
 * `GET /catalog` (Turtle unless `Accept` asks for JSON-LD or RDF/XML; 406 for anything else)
 * and `/catalog.ttl`, `/catalog.jsonld`, `/catalog.rdf`: the node's DCAT-AP 3.0.1 catalogue,
 * `?scope=network` with its peers' verified datasets, `?page=N` of 100 datasets.
 */
export function createCatalogRouter(deps: CatalogDeps): Router {
  const catalogue = createCatalogue(deps);
  const cache = createOutputCache(deps.library);
  const router = new Router();

  async function send(ctx: Context, format: RdfFormat): Promise<void> {
    const scope = oneParam(ctx, "scope") ?? "local";
    if (scope !== "local" && scope !== "network")
      throw new HttpError(400, 'scope must be "local" or "network"', [
        { path: "scope", message: 'must be "local" or "network"' },
      ]);
    const page = intParam(ctx, "page", 1, MAX_PAGE) ?? 1;
    const url = `${deps.identity.origin}${ctx.path}`;
    const body = await cache.get(`${url} ${scope} ${page} ${format}`, async () => {
      const quads = await catalogue.page({ scope, page, url });
      return quads && serializeRdf(quads, format);
    });
    if (body === null) throw new HttpError(404, "no such page of the catalogue");
    ctx.type = `${RDF_MEDIA_TYPES[format]}; charset=utf-8`;
    ctx.body = body;
  }

  router.get("/catalog", async (ctx) => {
    ctx.vary("Accept");
    // Turtle first: a client that accepts anything (or sends no Accept) gets the default.
    const accepted = ctx.accepts(RDF_MEDIA_TYPES.turtle, RDF_MEDIA_TYPES.jsonld, RDF_MEDIA_TYPES.rdfxml);
    const format = (Object.keys(RDF_MEDIA_TYPES) as RdfFormat[]).find((f) => RDF_MEDIA_TYPES[f] === accepted);
    if (!format)
      throw new HttpError(406, "the catalogue is served as text/turtle, application/ld+json or application/rdf+xml");
    await send(ctx, format);
  });
  for (const [extension, format] of Object.entries(EXTENSIONS))
    router.get(`/catalog.${extension}`, (ctx) => send(ctx, format));
  return router;
}
