import Router from "@koa/router";
import type { Context } from "koa";
import type { Library } from "../library/library.ts";
import { MAX_EXPORT, MAX_LIMIT, type SearchService } from "../search/service.ts";
import { csvExport, exportRows, jsonlExport } from "../outputs/search-export.ts";
import { passageHtml } from "../../web/templates/snippet.ts";
import { HttpError } from "./errors.ts";
import type { OriginNames } from "./origin-names.ts";
import { intParam, oneParam } from "./params.ts";
import { searchFailure, searchFilters } from "./search-params.ts";

/** Dependencies of the search API. */
export interface SearchApiDeps {
  readonly search: SearchService;
  /** Where exports read each match's document. */
  readonly library: Pick<Library, "getMany">;
  /** Names the cities that signed the exported items. */
  readonly names: Pick<OriginNames, "labels">;
}

/** What `format=` takes: a page of JSON (the default), or every match as CSV or JSON Lines. */
const FORMATS = ["json", "csv", "jsonl"] as const;

/**
 * `GET /api/search?q=&type=&city=&tag=&lang=&year=&status=&adopted=&sort=&limit=&offset=`: the network's library,
 * searched; with `format=csv|jsonl`, every match (at most 10,000, in the same order) streamed.
 */
export function createSearchRouter(deps: SearchApiDeps): Router {
  const router = new Router();
  router.get("/api/search", async (ctx) => {
    const filters = searchFilters(ctx);
    const format = oneParam(ctx, "format") ?? "json";
    if (!(FORMATS as readonly string[]).includes(format))
      throw new HttpError(400, `format must be one of ${FORMATS.join(", ")}`, [
        { path: "format", message: `must be one of ${FORMATS.join(", ")}` },
      ]);
    if (format !== "json") return sendExport(ctx, filters, format as "csv" | "jsonl");
    const response = await deps.search
      .search({
        ...filters,
        limit: intParam(ctx, "limit", 1, MAX_LIMIT) ?? 20,
        offset: intParam(ctx, "offset", 0, 100_000),
      })
      .catch(searchFailure);
    // The passage goes out as `snippet`, escaped HTML with `<mark>`: the API's contract.
    ctx.body = {
      ...response,
      results: response.results.map(({ passage, ...result }) =>
        passage === undefined ? result : { ...result, snippet: passageHtml(passage) },
      ),
    };
  });

  async function sendExport(ctx: Context, filters: ReturnType<typeof searchFilters>, format: "csv" | "jsonl") {
    // One ranking of every match (bounded, and refused with a 400 as a page would be) before
    // the first byte, so a query beyond a limit never starts a half-sent file.
    const { results } = await deps.search
      .search({ ...filters, limit: MAX_EXPORT, forExport: true })
      .catch(searchFailure);
    const rows = exportRows(results, { library: deps.library, labels: (keys) => deps.names.labels(keys) });
    const day = new Date().toISOString().slice(0, 10);
    ctx.set("Content-Disposition", `attachment; filename="wego-search-${day}.${format}"`);
    ctx.set("X-Total-Count", String(results.length));
    if (format === "csv") {
      ctx.type = "text/csv; charset=utf-8; header=present";
      ctx.body = csvExport(rows);
    } else {
      ctx.type = "application/jsonl; charset=utf-8";
      ctx.body = jsonlExport(rows);
    }
  }
  return router;
}
