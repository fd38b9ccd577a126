import Router from "@koa/router";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { createOutputCache } from "../outputs/output-cache.ts";
import { renderSitemap } from "../outputs/sitemap.ts";

/** Dependencies of `/sitemap.xml` and `/robots.txt`. */
export interface DiscoveryDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
}

/** Paths crawlers are asked to keep out of: sign-in, administration, officials' forms and drafts. */
const PRIVATE_PATHS = ["/admin", "/login", "/logout", "/official"];

/** `GET /robots.txt` (points to the sitemap; keeps private pages out) and `GET /sitemap.xml`. */
export function createDiscoveryRouter(deps: DiscoveryDeps): Router {
  const router = new Router();
  const cache = createOutputCache(deps.library, 1);
  router.get("/robots.txt", (ctx) => {
    ctx.type = "text/plain; charset=utf-8";
    ctx.body = [
      "User-agent: *",
      ...PRIVATE_PATHS.map((p) => `Disallow: ${p}`),
      "Allow: /",
      "",
      `Sitemap: ${deps.identity.origin}/sitemap.xml`,
      "",
    ].join("\n");
  });
  router.get("/sitemap.xml", async (ctx) => {
    const xml = await cache.get("sitemap", () => renderSitemap(deps));
    ctx.type = "application/xml; charset=utf-8";
    ctx.body = xml;
  });
  return router;
}
