import Router, { type RouterMiddleware } from "@koa/router";
import { bodyParser } from "@koa/bodyparser";
import type { Context } from "koa";
import type { Orm } from "../db/orm.ts";
import type { Draft, DraftActor, Drafts } from "../library/drafts.ts";
import type { WriteResult } from "../library/library.ts";
import { requireRole, type AuthState } from "./auth.ts";
import { HttpError } from "./errors.ts";
import { oneParam } from "./params.ts";

// Drafts through the API, for the same people as the web forms: `?draft=1` on POST and PUT
// /api/items saves a draft instead of publishing; /api/drafts lists, reads, publishes and
// discards them. A token's drafts are its own (an admin's token sees every draft).

/** Dependencies of the drafts API. */
export interface DraftsApiDeps {
  readonly orm: Orm;
  readonly drafts: Drafts;
  readonly maxBodyBytes: number;
}

function actorOf(ctx: Context & { state: AuthState }): DraftActor {
  const p = ctx.state.principal!;
  return { username: p.username ?? `token:${p.tokenId ?? p.name}`, name: p.name, role: p.role };
}

function summary(d: Draft) {
  return {
    id: d.id,
    type: d.type,
    title: d.title,
    itemId: d.itemId,
    baseVersion: d.baseVersion,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

function idParam(ctx: Context): string {
  const id = oneParam(ctx, "id");
  if (!id) throw new HttpError(400, "the id query parameter is required", [{ path: "id", message: "is required" }]);
  return id;
}

/** Routes of `/api/drafts`, and `?draft=1` on `POST`/`PUT /api/items` (mount before the items router). */
export function createDraftsApiRouter(deps: DraftsApiDeps): Router<AuthState> {
  const { orm, drafts } = deps;
  const router = new Router<AuthState>();
  const writer = requireRole(orm, ["editor", "admin"]);
  const json = bodyParser({
    enableTypes: ["json"],
    jsonLimit: `${deps.maxBodyBytes}b`,
    jsonStrict: true,
    encoding: "utf-8",
  });
  const jsonBody: RouterMiddleware<AuthState> = async (ctx, next) => {
    if (Number(ctx.get("content-length") || 0) > deps.maxBodyBytes)
      throw new HttpError(413, `request body is too large (limit ${deps.maxBodyBytes} bytes)`);
    if (!ctx.is("application/json", "application/*+json"))
      throw new HttpError(415, "send the document as application/json");
    await next();
  };

  function sendSaved(ctx: Context, result: Awaited<ReturnType<Drafts["create"]>>): void {
    if (!result.ok)
      throw new HttpError(result.reason === "too-large" ? 413 : 400, result.message, [
        { path: "", message: result.message },
      ]);
    ctx.status = 201;
    ctx.set("Location", `/api/drafts?${new URLSearchParams({ id: result.draft.id })}`);
    ctx.body = { draft: { ...summary(result.draft), document: result.draft.document } };
  }

  // Without `?draft=1` the request goes on to the items router: publishing as before.
  router.post("/api/items", async (ctx, next) => {
    if (oneParam(ctx, "draft") !== "1") return next();
    await writer(ctx, () =>
      jsonBody(ctx, () =>
        json(ctx, async () => {
          const body = ctx.request.body as Record<string, unknown> | undefined;
          const type = typeof body?.type === "string" ? body.type : "";
          sendSaved(ctx, await drafts.create({ type, document: body }, actorOf(ctx)));
        }),
      ),
    );
  });

  router.get("/api/drafts", writer, async (ctx) => {
    const id = oneParam(ctx, "id");
    if (id === undefined) {
      ctx.body = { drafts: (await drafts.list(actorOf(ctx))).map(summary) };
      return;
    }
    const draft = await drafts.get(id, actorOf(ctx));
    if (!draft) throw new HttpError(404, "no such draft");
    ctx.body = { draft: { ...summary(draft), document: draft.document } };
  });

  router.post("/api/drafts/publish", writer, async (ctx) => {
    const result: WriteResult | { ok: false; reason: "no-draft" } = await drafts.publish(idParam(ctx), actorOf(ctx));
    if (result.ok) {
      ctx.status = 201;
      ctx.set("Location", result.item.id);
      ctx.body = { id: result.item.id, document: result.item.document, jws: result.item.jws };
      return;
    }
    if (result.reason === "no-draft") throw new HttpError(404, "no such draft");
    if (result.reason === "invalid") throw new HttpError(400, "the document is not valid", result.details);
    if (result.reason === "conflict") throw new HttpError(409, `the item is at version ${result.currentVersion}`);
    throw new HttpError(409, "the item this draft changes can no longer be changed");
  });

  router.delete("/api/drafts", writer, async (ctx) => {
    if (!(await drafts.discard(idParam(ctx), actorOf(ctx)))) throw new HttpError(404, "no such draft");
    ctx.status = 204;
  });
  return router;
}
