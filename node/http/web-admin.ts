import Router from "@koa/router";
import type { Context } from "koa";
import type { NodeIdentity } from "../library/identity.ts";
import type { FederationService, HostActionResult, PeerActionResult } from "../federation/service.ts";
import { fill } from "../../web/i18n.ts";
import { renderPeersPage } from "../../web/templates/peers.ts";
import { formOf, frameFor, requireUser, sendPage, setFlash, stringsOf, type WebMiddleware } from "./web-context.ts";

/** Dependencies of the admins' pages. */
export interface AdminRoutesDeps {
  readonly identity: NodeIdentity;
  readonly federationService: FederationService;
  readonly web: WebMiddleware;
}

const ACTIONS = ["approve", "reject", "unfollow", "block", "unblock", "resync"] as const;
type Action = (typeof ACTIONS)[number];

/** The admins' peers page: follow by handle or URL, approve, reject, block, watch health and backfill. */
export function createAdminRouter(deps: AdminRoutesDeps): Router {
  const { federationService: fed, identity, web } = deps;
  const router = new Router();
  const admin = requireUser(["admin"]);

  router.get("/admin/peers", ...web.form, admin, async (ctx) => {
    const f = frameFor(ctx, identity.name, "Peers", "peers");
    const peers = await fed.list();
    sendPage(
      ctx,
      200,
      renderPeersPage(
        { ...f, title: f.t.peers, scripts: peers.some((p) => p.backfill.state === "running") ? ["peers.js"] : [] },
        { peers },
      ),
    );
  });

  function done(ctx: Context, result: PeerActionResult | HostActionResult): void {
    const t = stringsOf(ctx);
    if (result.ok) {
      setFlash(
        ctx,
        `${t.peerActionDone} ${"host" in result ? result.host : result.actor}${result.state ? ` → ${result.state}` : ""}`,
      );
    } else {
      setFlash(ctx, fill(t.peerActionFailed, { reason: result.reason }), true);
    }
    ctx.status = 303;
    ctx.redirect("/admin/peers");
  }

  router.post("/admin/peers/follow", ...web.submit, admin, async (ctx) => {
    const target = String(formOf(ctx).target ?? "").trim();
    if (!target) return done(ctx, { ok: false, status: 400, reason: stringsOf(ctx).followLabel });
    done(ctx, await fed.follow(target.slice(0, 2048)));
  });

  router.post("/admin/peers/:action", ...web.submit, admin, async (ctx) => {
    const action = ctx.params.action as Action;
    if (!(ACTIONS as readonly string[]).includes(action)) return;
    const form = formOf(ctx);
    const value = String((action === "block" || action === "unblock" ? form.host : form.actor) ?? "").trim();
    if (!value) return done(ctx, { ok: false, status: 400, reason: "missing peer" });
    done(ctx, await fed[action](value));
  });
  return router;
}
