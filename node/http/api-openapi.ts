import { readFileSync } from "node:fs";
import Router from "@koa/router";
import type { NodeIdentity } from "../library/identity.ts";
import { buildOpenApi } from "../outputs/openapi.ts";
import { renderApiReference } from "../../web/templates/api-reference.ts";
import { frameFor, sendPage, type WebMiddleware } from "./web-context.ts";

/** Dependencies of the API description. */
export interface OpenApiDeps {
  readonly identity: NodeIdentity;
  readonly web: WebMiddleware;
}

const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** `GET /api/openapi.json` (OpenAPI 3.1) and `GET /api`, the reference page rendered from it. */
export function createOpenApiRouter(deps: OpenApiDeps): Router {
  const { identity, web } = deps;
  const router = new Router();
  // Built once: it depends on nothing but the node's name and origin.
  const document = buildOpenApi({ origin: identity.origin, cityName: identity.name, version: VERSION });
  const body = JSON.stringify(document);
  router.get("/api/openapi.json", (ctx) => {
    ctx.type = "application/json";
    ctx.set("Cache-Control", "public, max-age=3600");
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.body = body;
  });
  router.get("/api", ...web.page, (ctx) => {
    const f = frameFor(ctx, identity.name, "API");
    sendPage(ctx, 200, renderApiReference({ ...f, title: f.t.apiReference }, document));
  });
  return router;
}
