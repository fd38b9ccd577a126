import Router from "@koa/router";
import type { Library, StoredItem } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { CITATION_FORMATS, type CitationContext, citeItem, isCitationFormat } from "../outputs/citation.ts";
import { HttpError } from "./errors.ts";
import type { OriginNames } from "./origin-names.ts";
import { intParam, oneParam } from "./params.ts";

/** Dependencies of the citation API. */
export interface CitationApiDeps {
  readonly library: Pick<Library, "get">;
  readonly identity: NodeIdentity;
  readonly names: Pick<OriginNames, "of">;
}

/**
 * Who a reference names for `item`: its author is the city that signed it (the verified
 * origin's name), its publisher the WeGO Exchange node at that origin.
 */
export async function citationContext(
  item: StoredItem,
  deps: Pick<CitationApiDeps, "identity" | "names">,
  accessed = new Date(),
): Promise<CitationContext> {
  const origin = (await deps.names.of([item.origin])).get(item.origin);
  const author = item.local ? deps.identity.name : (origin?.name ?? origin?.host ?? item.origin);
  return { author, publisher: `WeGO Exchange (${origin?.host ?? item.origin})`, accessed };
}

/** `GET /api/items/citation?id=URL&format=bibtex|ris|csl-json|text[&version=N]`: how to cite an item. */
export function createCitationRouter(deps: CitationApiDeps): Router {
  const router = new Router();
  router.get("/api/items/citation", async (ctx) => {
    const id = oneParam(ctx, "id");
    if (!id) throw new HttpError(400, "the id query parameter is required", [{ path: "id", message: "is required" }]);
    const format = oneParam(ctx, "format") ?? "text";
    if (!isCitationFormat(format))
      throw new HttpError(400, `format must be one of ${CITATION_FORMATS.join(", ")}`, [
        { path: "format", message: `must be one of ${CITATION_FORMATS.join(", ")}` },
      ]);
    const version = intParam(ctx, "version", 1, Number.MAX_SAFE_INTEGER);
    const item = await deps.library.get(id, version);
    if (!item) throw new HttpError(404, "no such item");
    if (item.deleted) throw new HttpError(410, "the item was deleted");
    const citation = citeItem(item, await citationContext(item, deps), format);
    ctx.type = citation.contentType;
    const name = `${new URL(item.id).pathname.split("/").at(-1) || "item"}-v${item.version}.${citation.extension}`;
    ctx.set("Content-Disposition", `inline; filename="${name.replace(/[^A-Za-z0-9._-]/g, "")}"`);
    ctx.body = citation.body;
  });
  return router;
}
