import Router from "@koa/router";
import { bodyParser } from "@koa/bodyparser";
import type { Context } from "koa";
import type { Orm } from "../db/orm.ts";
import type { FederationService, PeerActionResult } from "../federation/service.ts";
import { requireRole, type AuthState } from "./auth.ts";
import { HttpError } from "./errors.ts";

/** Dependencies of the peering API. */
export interface PeersApiDeps {
  readonly orm: Orm;
  readonly federationService: FederationService;
}

function field(ctx: Context, name: string): string {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const value = body && typeof body === "object" && !Array.isArray(body) ? body[name] : undefined;
  if (typeof value !== "string" || value.trim() === "" || value.length > 2048) {
    throw new HttpError(400, `the body must be a JSON object with a "${name}" string`, [{ path: `/${name}`, message: "is required" }]);
  }
  return value.trim();
}

function answer(ctx: Context, result: PeerActionResult): void {
  if (!result.ok) throw new HttpError(result.status, result.reason);
  ctx.body = result;
}

/** `/api/peers`: list peers (anyone), follow, approve, reject, unfollow, block, unblock, resync (admins). */
export function createPeersRouter(deps: PeersApiDeps): Router<AuthState> {
  const { federationService: fed } = deps;
  const router = new Router<AuthState>();
  const admin = requireRole(deps.orm, ["admin"]);
  const json = bodyParser({ enableTypes: ["json"], jsonLimit: "16kb", jsonStrict: true });

  router.get("/api/peers", async (ctx) => {
    ctx.body = { peers: await fed.list() };
  });
  router.post("/api/peers", admin, json, async (ctx) => answer(ctx, await fed.follow(field(ctx, "actor"))));
  router.post("/api/peers/approve", admin, json, async (ctx) => answer(ctx, await fed.approve(field(ctx, "actor"))));
  router.post("/api/peers/reject", admin, json, async (ctx) => answer(ctx, await fed.reject(field(ctx, "actor"))));
  router.post("/api/peers/unfollow", admin, json, async (ctx) => answer(ctx, await fed.unfollow(field(ctx, "actor"))));
  router.post("/api/peers/block", admin, json, async (ctx) => answer(ctx, await fed.block(field(ctx, "host"))));
  router.post("/api/peers/unblock", admin, json, async (ctx) => answer(ctx, await fed.unblock(field(ctx, "host"))));
  router.post("/api/peers/resync", admin, json, async (ctx) => answer(ctx, await fed.resync(field(ctx, "actor"))));
  router.post("/api/items/announce", admin, json, async (ctx) => answer(ctx, await fed.announce(field(ctx, "id"))));
  return router;
}
