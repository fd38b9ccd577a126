import type { Context } from "koa";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import {
  IndexNotReadyError,
  isSortOrder,
  QueryError,
  SearchBusyError,
  SORT_ORDERS,
  type SearchQuery,
} from "../search/service.ts";
import { BUSY_RETRY_AFTER_SECONDS, HttpError, INDEXING_RETRY_AFTER_SECONDS } from "./errors.ts";
import { intParam, oneParam } from "./params.ts";

// The search filters as the API reads them (`/api/search`, its exports and `/feed.atom`):
// strictly, a 400 that names the parameter for anything malformed.

/** The filters and query of a search request (`q`, `type`, `city`, `tag`, `lang`, `year`, `status`, `adopted`, `sort`), checked. */
export function searchFilters(ctx: Context): Omit<SearchQuery, "limit" | "offset"> {
  // Its length, terms, typos, wildcards and expansions are bounded by the search service (query.ts).
  const q = oneParam(ctx, "q");
  const type = oneParam(ctx, "type");
  if (type !== undefined && !(DOCUMENT_TYPES as readonly string[]).includes(type)) {
    throw new HttpError(400, `type must be one of ${DOCUMENT_TYPES.join(", ")}`, [
      { path: "type", message: `must be one of ${DOCUMENT_TYPES.join(", ")}` },
    ]);
  }
  const lang = oneParam(ctx, "lang");
  if (lang !== undefined && !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(lang)) {
    throw new HttpError(400, "lang must be a language tag such as en, ko or pt-BR", [
      { path: "lang", message: "must be a BCP 47 language tag" },
    ]);
  }
  const sort = oneParam(ctx, "sort");
  if (sort !== undefined && !isSortOrder(sort)) {
    throw new HttpError(400, `sort must be one of ${SORT_ORDERS.join(", ")}`, [
      { path: "sort", message: `must be one of ${SORT_ORDERS.join(", ")}` },
    ]);
  }
  return {
    sort,
    q,
    type,
    city: oneParam(ctx, "city"),
    tag: oneParam(ctx, "tag"),
    lang,
    year: intParam(ctx, "year", 1, 9999),
    adopted: intParam(ctx, "adopted", 0, 1) === 1,
    status: oneParam(ctx, "status"),
  };
}

/** Rethrows a search failure as the API answers it: 503 while indexing or too busy, 400 for a query it cannot run. */
export function searchFailure(error: unknown): never {
  if (error instanceof SearchBusyError)
    throw new HttpError(503, "the node is answering too many searches; try again in a moment", undefined, {
      "Retry-After": String(BUSY_RETRY_AFTER_SECONDS),
    });
  if (error instanceof IndexNotReadyError)
    throw new HttpError(503, "the search index is being built; try again in a few seconds", undefined, {
      "Retry-After": String(INDEXING_RETRY_AFTER_SECONDS),
    });
  if (error instanceof QueryError && error.reason === "syntax") {
    throw new HttpError(400, "the search query cannot be parsed", [
      { path: "q", message: `${error.message} (at characters ${error.start}–${error.end})` },
    ]);
  }
  if (error instanceof QueryError)
    throw new HttpError(400, "the search query exceeds a limit", [{ path: "q", message: error.message }]);
  throw error;
}
