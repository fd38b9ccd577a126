import Router from "@koa/router";
import type { Context } from "koa";
import type { NodeIdentity } from "../library/identity.ts";
import type {
  FederationService,
  HostActionResult,
  PeerActionResult,
  PeeringRefusal,
  PeeringRefusalCode,
} from "../federation/service.ts";
import { fill, type Strings } from "../../web/i18n.ts";
import { contactFailureIn, renderPeersPage } from "../../web/templates/peers.ts";
import { formOf, frameFor, requireUser, sendPage, setFlash, stringsOf, type WebMiddleware } from "./web-context.ts";

/** Dependencies of the admins' pages. */
export interface AdminRoutesDeps {
  readonly identity: NodeIdentity;
  readonly federationService: FederationService;
  readonly web: WebMiddleware;
}

const ACTIONS = ["approve", "reject", "unfollow", "block", "unblock", "resync"] as const;
type Action = (typeof ACTIONS)[number];

/** What an admin is told once an action is done, in words (never the raw state `accepted`). */
function doneMessage(action: Action | "follow", state: string | undefined): keyof Strings {
  switch (action) {
    case "follow":
      return state === "accepted" ? "peerDoneFollowing" : "peerDoneRequested";
    case "approve":
      return "peerDoneApproved";
    case "reject":
      return "peerDoneRejected";
    case "unfollow":
      return "peerDoneUnfollowed";
    case "block":
      return "peerDoneBlocked";
    case "unblock":
      return "peerDoneUnblocked";
    default:
      return "peerDoneResync";
  }
}

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

  function done(
    ctx: Context,
    action: Action | "follow",
    target: string,
    result: PeerActionResult | HostActionResult,
  ): void {
    const t = stringsOf(ctx);
    if (result.ok) {
      setFlash(ctx, fill(t[doneMessage(action, result.state)], { who: "host" in result ? result.host : result.actor }));
    } else if (action === "follow" && result.status === 404) {
      // The one refusal an admin meets by a typo; the others keep the federation's own words.
      setFlash(ctx, fill(t.peerActionFailed, { reason: fill(t.peerFollowNotFound, { target }) }), true);
    } else {
      setFlash(ctx, fill(t.peerActionFailed, { reason: refusalText(t, result) }), true);
    }
    ctx.status = 303;
    ctx.redirect("/admin/peers");
  }

  router.post("/admin/peers/follow", ...web.submit, admin, async (ctx) => {
    const target = String(formOf(ctx).target ?? "").trim();
    if (!target) return done(ctx, "follow", target, { ok: false, status: 400, reason: stringsOf(ctx).followLabel });
    done(ctx, "follow", target, await fed.follow(target.slice(0, 2048)));
  });

  router.post("/admin/peers/:action", ...web.submit, admin, async (ctx) => {
    const action = ctx.params.action as Action;
    if (!(ACTIONS as readonly string[]).includes(action)) return;
    const form = formOf(ctx);
    const value = String((action === "block" || action === "unblock" ? form.host : form.actor) ?? "").trim();
    if (!value) return done(ctx, action, value, { ok: false, status: 400, reason: "missing peer" });
    done(ctx, action, value, await fed[action](value));
  });
  return router;
}

const REFUSAL_TEXTS: Readonly<Record<PeeringRefusalCode, keyof Strings>> = {
  self: "refusalSelf",
  blocked: "refusalBlocked",
  "not-allowed": "refusalNotAllowed",
  "no-request": "refusalNoRequest",
  "not-following": "refusalNotFollowing",
  "bad-host": "refusalBadHost",
  "not-blocked": "refusalNotBlocked",
  "resync-unfollowed": "refusalResyncUnfollowed",
  unreachable: "refusalUnreachable",
};

/** Why a peering action was refused, in the reader's language (the federation's English for a refusal with no code). */
function refusalText(t: Strings, refusal: PeeringRefusal): string {
  if (!refusal.code) return refusal.reason;
  const failure = refusal.failure ? contactFailureIn(t, refusal.failure, refusal.reason) : "";
  return fill(String(t[REFUSAL_TEXTS[refusal.code]]), { subject: refusal.subject ?? "", failure });
}
