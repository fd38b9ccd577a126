import { readFileSync } from "node:fs";
import Router from "@koa/router";
import type { Context } from "koa";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/library.ts";
import { jwsKeyId } from "../signing/jws.ts";
import { localeFromHeader, stringsFor } from "../../web/i18n.ts";
import { renderLibraryPage } from "../../web/templates/library.ts";
import { renderItemPage } from "../../web/templates/item.ts";
import { renderLayout } from "../../web/templates/layout.ts";
import { html } from "../../web/html.ts";

/** Dependencies of the HTML pages. */
export interface PagesDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
}

const PAGE_SIZE = 25;
const STYLESHEET = readFileSync(new URL("../../web/styles/site.css", import.meta.url));
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function frameFor(ctx: Context, identity: NodeIdentity, title: string) {
  const locale = localeFromHeader(ctx.get("accept-language"));
  ctx.set("Vary", "Accept-Language, Accept");
  ctx.set("Content-Language", locale);
  return { locale, t: stringsFor(locale), title, cityName: identity.name };
}

function sendHtml(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = "text/html; charset=utf-8";
  ctx.set("Content-Security-Policy", CSP);
  ctx.body = body;
}

/** Whether the client asked for JSON rather than a page. */
function wantsJson(ctx: Context): boolean {
  return ctx.accepts("text/html", "application/json") === "application/json";
}

/** Server-rendered pages: the library home page, one page per item, the stylesheet. */
export function createPagesRouter(deps: PagesDeps): Router {
  const { library, identity } = deps;
  const router = new Router();

  router.get("/static/site.css", (ctx) => {
    ctx.type = "text/css; charset=utf-8";
    ctx.set("Cache-Control", "public, max-age=3600");
    ctx.body = STYLESHEET;
  });

  router.get("/", async (ctx) => {
    const rawType = typeof ctx.query.type === "string" ? ctx.query.type : undefined;
    const type = rawType && ["CaseStudy", "Pathway", "Dataset"].includes(rawType) ? rawType : undefined;
    const page = Math.max(1, Math.min(10_000, Number.parseInt(String(ctx.query.page ?? "1"), 10) || 1));
    const { total, items } = await library.list({ type, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const frame = frameFor(ctx, identity, identity.name);
    const entries = items.map((i) => ({ ...i, href: i.local ? new URL(i.id).pathname : `/api/items?${new URLSearchParams({ id: i.id })}` }));
    sendHtml(ctx, 200, renderLibraryPage(frame, { total, entries, type, page, pageSize: PAGE_SIZE }));
  });

  router.get("/items/:slug", async (ctx) => {
    const id = `${identity.origin}/items/${ctx.params.slug}`;
    const item = await library.get(id);
    const json = wantsJson(ctx);
    if (!item) {
      if (json) {
        ctx.status = 404;
        ctx.body = { error: "no such item" };
        return;
      }
      const frame = frameFor(ctx, identity, "404");
      sendHtml(ctx, 404, renderLayout(frame, html`<h1>${frame.t.notFound}</h1><p><a href="/">${frame.t.home}</a></p>`));
      return;
    }
    if (json) {
      ctx.status = item.deleted ? 410 : 200;
      ctx.set("Vary", "Accept");
      ctx.body = { document: item.document, jws: item.jws, origin: item.origin, verified: item.verified };
      return;
    }
    const history = (await library.versions(id)) ?? [];
    const frame = frameFor(ctx, identity, item.title);
    sendHtml(
      ctx,
      item.deleted ? 410 : 200,
      renderItemPage(frame, {
        id,
        type: item.type,
        document: item.document,
        html: item.html,
        version: item.version,
        deleted: item.deleted,
        verified: item.verified,
        kid: jwsKeyId(item.jws),
        signerName: identity.name,
        history,
      }),
    );
  });

  return router;
}
