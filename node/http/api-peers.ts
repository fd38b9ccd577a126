import Router from "@koa/router";
import { bodyParser } from "@koa/bodyparser";
import type { Context } from "koa";
import type { Orm } from "../db/orm.ts";
import type { AnnounceResult, FederationService, HostActionResult, PeerActionResult } from "../federation/service.ts";
import type { PeerView } from "../db/peer-store.ts";
import { optionalRole, requireRole, type AuthState } from "./auth.ts";
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
    throw new HttpError(400, `the body must be a JSON object with a "${name}" string`, [
      { path: `/${name}`, message: "is required" },
    ]);
  }
  return value.trim();
}

function answer(ctx: Context, result: PeerActionResult | HostActionResult | AnnounceResult): void {
  if (!result.ok) throw new HttpError(result.status, result.reason);
  // The API names what an action touched `actor`, be it an actor, a host or an item (DESIGN.md).
  ctx.body =
    "actor" in result
      ? result
      : "host" in result
        ? { ok: true, actor: result.host, state: result.state }
        : { ok: true, actor: result.item };
}

/** A peer as anonymous callers of `GET /api/peers` see it. */
export interface PublicPeerView {
  readonly actor: string;
  readonly host: string;
  readonly handle: string | null;
  readonly name: string | null;
  readonly state: "following" | "followed" | "mutual";
  readonly items: number;
  readonly lastSeen: string | null;
  readonly backfill: { readonly state: string; readonly done: number; readonly total: number };
}

/**
 * The established peerings only, without what only admins need: pending requests, blocked
 * or rejected hosts and peers' error messages are left out. The state is computed from the
 * accepted follows alone, so a followed peer that also asked to be followed back still
 * shows as `following`, not `pending`.
 */
export function publicPeers(peers: readonly PeerView[]): PublicPeerView[] {
  const out: PublicPeerView[] = [];
  for (const p of peers) {
    if (p.state === "blocked") continue;
    const we = p.weFollow === "accepted";
    const they = p.theyFollow === "accepted";
    if (!we && !they) continue;
    out.push({
      actor: p.actor,
      host: p.host,
      handle: p.handle,
      name: p.name,
      state: we && they ? "mutual" : we ? "following" : "followed",
      items: p.items,
      lastSeen: p.lastSeen,
      backfill: { state: p.backfill.state, done: p.backfill.done, total: p.backfill.total },
    });
  }
  return out;
}

/** `/api/peers`: list peers (established ones for anyone, all for admins), follow, approve, reject, unfollow, block, unblock, resync (admins). */
export function createPeersRouter(deps: PeersApiDeps): Router<AuthState> {
  const { federationService: fed } = deps;
  const router = new Router<AuthState>();
  const admin = requireRole(deps.orm, ["admin"]);
  const json = bodyParser({ enableTypes: ["json"], jsonLimit: "16kb", jsonStrict: true });

  // Admins see every peer with its follow states and last error; anyone else sees only the
  // established peerings (no pending requests, no blocked hosts, no error messages).
  router.get("/api/peers", optionalRole(deps.orm), async (ctx) => {
    const peers = await fed.list();
    ctx.body = { peers: ctx.state.principal?.role === "admin" ? peers : publicPeers(peers) };
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
