import Router from "@koa/router";
import type { Context } from "koa";
import { isRole } from "../auth/tokens.ts";
import { addAccount, changeAccount, listAccounts, type AccountResult } from "../db/accounts.ts";
import type { Orm } from "../db/orm.ts";
import type { Strings } from "../../web/i18n.ts";
import { renderAccountsPage, type AccountsView } from "../../web/templates/accounts.ts";
import { endSession } from "./session.ts";
import type { WebMiddleware } from "./web-context.ts";
import { formOf, frameFor, requireUser, sendPage, setFlash, stringsOf, userOf } from "./web-context.ts";

/** Dependencies of the accounts pages. */
export interface AccountRoutesDeps {
  readonly orm: Orm;
  readonly cityName: string;
  readonly web: WebMiddleware;
}

const CHANGES = ["role", "password", "disable", "enable"] as const;
type Change = (typeof CHANGES)[number];

function refusal(t: Strings, result: Extract<AccountResult, { ok: false }>): string {
  switch (result.reason) {
    case "last-admin":
      return t.accountRefusedLastAdmin;
    case "exists":
      return t.accountRefusedExists;
    case "unknown-account":
      return t.accountRefusedUnknown;
    case "invalid":
      return (result.problems ?? []).join("; ");
  }
}

/**
 * The admins' accounts page: every web login with its role and state; add one, change its
 * role, reset its password, disable or enable it. A change ends the account's sessions, so a
 * disabled or demoted official loses access at once, and the last admin stays an admin.
 */
export function createAccountsRouter(deps: AccountRoutesDeps): Router {
  const { orm, cityName, web } = deps;
  const router = new Router();
  const admin = requireUser(["admin"]);

  async function page(ctx: Context, status: number, add?: AccountsView["add"]): Promise<void> {
    const f = frameFor(ctx, cityName, stringsOf(ctx).accounts, "accounts");
    const { accounts, total } = await listAccounts(orm);
    const view: AccountsView = { accounts, total, self: userOf(ctx).username, add };
    sendPage(ctx, status, renderAccountsPage(f, view));
  }

  router.get("/admin/accounts", ...web.form, admin, (ctx) => page(ctx, 200));

  router.post("/admin/accounts", ...web.submit, admin, async (ctx) => {
    const t = stringsOf(ctx);
    const form = formOf(ctx);
    const username = String(form.username ?? "").trim();
    const role = String(form.role ?? "");
    if (!isRole(role)) return page(ctx, 400, { username, role: "editor", errors: [t.accountRefusedRole] });
    const result = await addAccount(orm, username, String(form.password ?? ""), role);
    if (!result.ok)
      return page(ctx, result.reason === "exists" ? 409 : 400, { username, role, errors: [refusal(t, result)] });
    setFlash(ctx, `${t.accountAdded} ${username}`);
    ctx.redirect("/admin/accounts");
  });

  router.post("/admin/accounts/:username/:change", ...web.submit, admin, async (ctx) => {
    const t = stringsOf(ctx);
    const change = ctx.params.change as Change;
    if (!(CHANGES as readonly string[]).includes(change)) return;
    const username = String(ctx.params.username);
    const self = userOf(ctx).username === username;
    const form = formOf(ctx);
    const role = String(form.role ?? "");
    if (self && change !== "password") {
      setFlash(ctx, t.accountRefusedSelf, true);
    } else if (change === "role" && !isRole(role)) {
      setFlash(ctx, t.accountRefusedRole, true);
    } else {
      const result = await changeAccount(orm, username, {
        ...(change === "role" && isRole(role) ? { role } : {}),
        ...(change === "password" ? { password: String(form.password ?? "") } : {}),
        ...(change === "disable" || change === "enable" ? { disabled: change === "disable" } : {}),
      });
      // A new password of one's own ends one's own sessions too: log in again with it.
      if (result.ok && self) {
        endSession(ctx);
        return ctx.redirect(`/login?${new URLSearchParams({ next: "/admin/accounts" })}`);
      }
      setFlash(ctx, result.ok ? `${t.accountChanged} ${username}` : refusal(t, result), !result.ok);
    }
    ctx.redirect("/admin/accounts");
  });
  return router;
}
