import Router from "@koa/router";
import type { Context } from "koa";
import type { Orm } from "../db/orm.ts";
import type { Library, StoredItem, WriteResult } from "../library/library.ts";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { optionalRole, requireRole, type AuthState } from "./auth.ts";
import { HttpError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";
import { intParam, oneParam } from "./params.ts";
import { cityFilter } from "./origin-names.ts";
import { cityOf } from "../search/documents.ts";

/** Dependencies of the items API. */
export interface ItemsApiDeps {
  readonly orm: Orm;
  readonly library: Library;
  readonly maxBodyBytes: number;
}

function idParam(ctx: Context): string {
  const id = oneParam(ctx, "id");
  if (!id) throw new HttpError(400, "the id query parameter is required", [{ path: "id", message: "is required" }]);
  return id;
}

/** `"3"` or `W/"3"` from If-Match, as a version number; undefined when absent. */
function expectedVersion(ctx: Context): number | undefined {
  const header = ctx.get("if-match");
  if (!header) return undefined;
  const m = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!m) throw new HttpError(400, 'If-Match must be the ETag of a version, like "3"');
  return Number(m[1]);
}

function itemBody(item: StoredItem) {
  return {
    document: item.document,
    jws: item.jws,
    origin: item.origin,
    verified: item.verified,
    local: item.local,
    version: item.version,
    ...(item.provenance ? { provenance: item.provenance } : {}),
  };
}

function failWrite(result: Exclude<WriteResult, { ok: true }>, ifMatch: number | undefined): never {
  switch (result.reason) {
    case "invalid":
      throw new HttpError(400, "the document is not valid", result.details);
    case "not-found":
      throw new HttpError(404, "no such item");
    case "gone":
      throw new HttpError(410, "the item was deleted");
    case "not-local":
      throw new HttpError(403, "only the item's origin city can change it");
    case "conflict":
      throw new HttpError(
        ifMatch === undefined ? 409 : 412,
        `the item is at version ${result.currentVersion}`,
        undefined,
        {
          ETag: `"${result.currentVersion}"`,
        },
      );
  }
}

/** Routes of `/api/items`: create, update, delete, get and list items. */
export function createItemsRouter(deps: ItemsApiDeps): Router<AuthState> {
  const { orm, library } = deps;
  const router = new Router<AuthState>();
  const writer = requireRole(orm, ["editor", "admin"]);
  const json = jsonBody(deps.maxBodyBytes, "the document");

  router.get("/api/items", async (ctx) => {
    const id = oneParam(ctx, "id");
    if (id !== undefined) {
      const version = intParam(ctx, "version", 1, Number.MAX_SAFE_INTEGER);
      const item = await library.get(id, version);
      if (!item) throw new HttpError(404, version ? `no version ${version} of this item` : "no such item");
      if (item.deleted) {
        ctx.status = 410;
        ctx.body = { error: "the item was deleted", ...itemBody(item) };
        return;
      }
      ctx.set("ETag", `"${item.version}"`);
      ctx.body = itemBody(item);
      return;
    }
    const type = oneParam(ctx, "type");
    if (type !== undefined && !(DOCUMENT_TYPES as readonly string[]).includes(type)) {
      throw new HttpError(400, `type must be one of ${DOCUMENT_TYPES.join(", ")}`, [
        { path: "type", message: `must be one of ${DOCUMENT_TYPES.join(", ")}` },
      ]);
    }
    // `city` names who signed an item: this node's items keep their city name, a peer's item
    // is listed and filtered under its origin's host (what /api/search facets use), whatever
    // its document's `city` field says.
    const city = oneParam(ctx, "city");
    // `case` lists the verified items naming that case, whoever published them: with
    // type=Adoption, the cities adopting it (DESIGN.md, "Adoption").
    const caseId = oneParam(ctx, "case");
    if (caseId !== undefined && !/^https?:\/\/\S+$/.test(caseId)) {
      throw new HttpError(400, "case must be an item's http(s) URL", [
        { path: "case", message: "must be an http(s) URL" },
      ]);
    }
    const result = await library.list({
      type,
      ...(caseId !== undefined ? { case: caseId } : {}),
      ...(city !== undefined ? await cityFilter(library, city) : {}),
      limit: intParam(ctx, "limit", 1, 500) ?? 20,
      offset: intParam(ctx, "offset", 0, Number.MAX_SAFE_INTEGER) ?? 0,
    });
    ctx.body = { total: result.total, items: result.items.map((i) => ({ ...i, city: cityOf(i) })) };
  });

  // Who wrote a version (a user's or a token's name) is for the city's officials: anonymous
  // readers get the versions, dates and changed fields, not the authors.
  router.get("/api/items/versions", optionalRole(orm), async (ctx) => {
    const id = idParam(ctx);
    const versions = await library.versions(id);
    if (!versions) throw new HttpError(404, "no such item");
    ctx.body = { id, versions: ctx.state.principal ? versions : versions.map(({ author: _author, ...rest }) => rest) };
  });

  router.post("/api/items", writer, ...json, async (ctx) => {
    const result = await library.create(ctx.request.body, { author: ctx.state.principal!.name });
    if (!result.ok) failWrite(result, undefined);
    ctx.status = 201;
    ctx.set("Location", result.item.id);
    ctx.set("ETag", `"${result.item.version}"`);
    ctx.body = { id: result.item.id, document: result.item.document, jws: result.item.jws };
  });

  router.put("/api/items", writer, ...json, async (ctx) => {
    const id = idParam(ctx);
    const ifMatch = expectedVersion(ctx);
    const result = await library.update(id, ctx.request.body, {
      author: ctx.state.principal!.name,
      expectedVersion: ifMatch,
    });
    if (!result.ok) failWrite(result, ifMatch);
    ctx.set("ETag", `"${result.item.version}"`);
    ctx.body = { id, document: result.item.document, jws: result.item.jws };
  });

  router.delete("/api/items", writer, async (ctx) => {
    const id = idParam(ctx);
    const ifMatch = expectedVersion(ctx);
    const result = await library.remove(id, { author: ctx.state.principal!.name, expectedVersion: ifMatch });
    if (!result.ok) failWrite(result, ifMatch);
    ctx.body = {
      id,
      deleted: true,
      version: result.item.version,
      document: result.item.document,
      jws: result.item.jws,
    };
  });

  return router;
}
