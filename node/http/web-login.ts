import Router from "@koa/router";
import type { Context } from "koa";
import type { Orm } from "../db/orm.ts";
import { authenticatePassword } from "../db/accounts.ts";
import { renderLoginPage } from "../../web/templates/login.ts";
import { endSession, startUserSession } from "./session.ts";
import { formOf, frameFor, sendPage, stringsOf, type WebMiddleware } from "./web-context.ts";

/** Dependencies of the login pages. */
export interface LoginRoutesDeps {
  readonly cityName: string;
  readonly orm: Orm;
  readonly web: WebMiddleware;
}

/** A safe place to go after logging in: a path on this site, never another origin. */
function safeNext(raw: unknown): string {
  // Browsers drop tabs and newlines from URLs and read a backslash as a slash: "/\t/evil.example"
  // would become "//evil.example". One leading slash, then no whitespace or backslash.
  return typeof raw === "string" && /^\/(?![/\\])[^\s\\\x00-\x1f\x7f]*$/.test(raw) ? raw : "/";
}

/** Logging in to the web pages with a username and password, and logging out. */
export function createLoginRouter(deps: LoginRoutesDeps): Router {
  const { orm, web } = deps;
  const router = new Router();
  const frame = (ctx: Context, title: string) => frameFor(ctx, deps.cityName, title, "login");

  function renderLogin(ctx: Context, status: number, error?: string, username = ""): void {
    const f = frame(ctx, "Log in");
    sendPage(
      ctx,
      status,
      renderLoginPage(
        { ...f, title: f.t.logIn },
        { error, username, next: safeNext(ctx.query.next ?? formOf(ctx).next) },
      ),
    );
  }

  router.get("/login", ...web.form, (ctx) => renderLogin(ctx, 200));
  router.post("/login", ...web.login, async (ctx) => {
    const form = formOf(ctx);
    const username = typeof form.username === "string" ? form.username.trim() : "";
    const password = typeof form.password === "string" ? form.password : "";
    const principal = username && password ? await authenticatePassword(orm, username, password) : null;
    if (!principal) return renderLogin(ctx, 401, stringsOf(ctx).loginFailed, username);
    await startUserSession(ctx, {
      username: principal.username ?? username,
      role: principal.role,
      name: principal.name,
    });
    ctx.status = 303;
    ctx.redirect(safeNext(form.next));
  });
  router.post("/logout", ...web.submit, (ctx) => {
    endSession(ctx);
    ctx.status = 303;
    ctx.redirect("/");
  });

  return router;
}
