import { readdirSync, readFileSync } from "node:fs";
import type { Context, Middleware, Next } from "koa";
import { bodyParser } from "@koa/bodyparser";
import { isLocale, localeFromHeader, stringsFor, type Locale, type Strings } from "../../web/i18n.ts";
import type { PageFrame } from "../../web/templates/layout.ts";
import { renderMessagePage, type MessageLink } from "../../web/templates/message.ts";
import { IndexNotReadyError, SearchBusyError } from "../search/service.ts";
import { BUSY_RETRY_AFTER_SECONDS, HttpError, INDEXING_RETRY_AFTER_SECONDS } from "./errors.ts";
import {
  csrfProtection,
  csrfToken,
  currentUser,
  sessionOf,
  SESSION_COOKIE,
  type Flash,
  type WebUser,
} from "./session.ts";
import { type LoginRateLimitOptions, loginRateLimit } from "./login-limit.ts";

/**
 * The Content-Security-Policy of every page: no inline script or style, forms post only
 * here, images only from this node (a peer's image URL would tell its host who reads what).
 */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const LANG_COOKIE = "wego_lang";
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * The interface language of a request: `?lang=` (remembered in a cookie), else the cookie,
 * else `Accept-Language`.
 */
export function localeOf(ctx: Context): Locale {
  const asked = ctx.query.lang;
  if (typeof asked === "string" && isLocale(asked)) {
    ctx.cookies.set(LANG_COOKIE, asked, { maxAge: ONE_YEAR_MS, httpOnly: true, sameSite: "lax", overwrite: true });
    return asked;
  }
  const remembered = ctx.cookies.get(LANG_COOKIE);
  if (isLocale(remembered)) return remembered;
  return localeFromHeader(ctx.get("accept-language"));
}

/** The path and query of a request without its interface-language parameter. */
export function pathWithoutLang(ctx: Context): string {
  const qs = new URLSearchParams(ctx.querystring);
  qs.delete("lang");
  const s = qs.toString();
  return s ? `${ctx.path}?${s}` : ctx.path;
}

/** Builds the frame of a page for this request: language, user, CSRF token, one-time message. */
export function frameFor(ctx: Context, cityName: string, title: string, section?: PageFrame["section"]): PageFrame {
  const locale = localeOf(ctx);
  ctx.set("Vary", "Accept-Language, Cookie");
  ctx.set("Content-Language", locale);
  const user = currentUser(ctx);
  let flash: Flash | undefined;
  if (ctx.cookies.get(SESSION_COOKIE)) {
    const session = sessionOf(ctx);
    if (session?.flash) {
      flash = session.flash;
      delete session.flash;
    }
  }
  return {
    locale,
    t: stringsFor(locale),
    title,
    cityName,
    url: pathWithoutLang(ctx),
    section,
    user,
    csrf: csrfToken(ctx),
    flash,
  };
}

/** Sends a page with the CSP and no caching of personalised pages. */
export function sendPage(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = "text/html; charset=utf-8";
  ctx.set("Content-Security-Policy", CSP);
  if (ctx.cookies.get(SESSION_COOKIE)) ctx.set("Cache-Control", "private, no-store");
  ctx.body = body;
}

/** Sends a short page with a heading and a message (errors, confirmations). */
export function sendMessage(
  ctx: Context,
  cityName: string,
  status: number,
  title: string,
  message: string,
  link?: MessageLink,
): void {
  sendPage(ctx, status, renderMessagePage(frameFor(ctx, cityName, title), message, link));
}

/** Strings of the request's language. */
export function stringsOf(ctx: Context): Strings {
  return stringsFor(localeOf(ctx));
}

/** Puts a one-time message in the session for the next page; `error` shows it as a failure. */
export function setFlash(ctx: Context, message: string, error = false): void {
  sessionOf(ctx).flash = { text: message, error };
}

/** The middleware stacks the web routes are built from. */
export interface WebMiddleware {
  /** Public pages: a CSRF token only for visitors who already have a session. */
  readonly page: Middleware[];
  /** Pages with forms (login, publishing, peers): always a session and a CSRF token. */
  readonly form: Middleware[];
  /** Form submissions: body parsed, CSRF checked. */
  readonly submit: Middleware[];
  /** Login submissions: as {@link submit}, with failed logins limited per address and per account. */
  readonly login: Middleware[];
  /**
   * Officials' form submissions that may carry files: as {@link submit}, with the login
   * checked before a multipart body is read (no anonymous request writes to disk).
   */
  readonly upload: Middleware[];
}

/** Options of {@link createWebMiddleware}. */
export interface WebMiddlewareOptions {
  readonly session: Middleware;
  readonly cityName: string;
  /** Failed logins per client address per 10 minutes (default 10). */
  readonly loginAttempts?: number;
  /** Failed logins per username per 15 minutes, from any address (default 10). */
  readonly accountAttempts?: number;
  /** Parses multipart bodies for {@link WebMiddleware.upload}; without it such bodies are not read. */
  readonly multipart?: Middleware;
  /** Failed-login counters shared by every process on the database (PostgreSQL); default: in memory. */
  readonly sharedCounters?: LoginRateLimitOptions["sharedCounters"];
}

/** Session, CSRF, form parsing and login rate limiting for the web routes, with HTML error pages. */
export function createWebMiddleware(options: WebMiddlewareOptions): WebMiddleware {
  const { session, cityName } = options;
  const csrf = csrfProtection({
    onInvalid: (ctx) => sendMessage(ctx, cityName, 403, "403", stringsOf(ctx).formExpired),
  });
  const forms = bodyParser({ enableTypes: ["form"], formLimit: "1mb", encoding: "utf-8" });
  const htmlErrors: Middleware = async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof IndexNotReadyError && !ctx.path.startsWith("/api/")) {
        ctx.set("Retry-After", String(INDEXING_RETRY_AFTER_SECONDS));
        return sendMessage(ctx, cityName, 503, stringsOf(ctx).searchIndexingTitle, stringsOf(ctx).searchIndexing, {
          href: ctx.url,
          label: stringsOf(ctx).tryAgain,
        });
      }
      if (error instanceof SearchBusyError && !ctx.path.startsWith("/api/")) {
        ctx.set("Retry-After", String(BUSY_RETRY_AFTER_SECONDS));
        return sendMessage(ctx, cityName, 503, stringsOf(ctx).searchBusyTitle, stringsOf(ctx).searchBusy, {
          href: ctx.url,
          label: stringsOf(ctx).tryAgain,
        });
      }
      if (!(error instanceof HttpError) || error.status >= 500 || ctx.path.startsWith("/api/")) throw error;
      sendMessage(ctx, cityName, error.status, String(error.status), error.message);
    }
  };
  const limited = loginRateLimit({
    maxPerAddress: options.loginAttempts,
    maxPerAccount: options.accountAttempts,
    sharedCounters: options.sharedCounters,
    usernameOf: (ctx) => {
      const username = formOf(ctx).username;
      return typeof username === "string" ? username : "";
    },
    onLimited: (ctx) =>
      sendMessage(ctx, cityName, 429, "429", stringsOf(ctx).tooManyAttempts, { href: "/", label: stringsOf(ctx).home }),
  });
  return {
    page: [htmlErrors, session, csrf.tokenIfSession],
    form: [htmlErrors, session, csrf.token],
    submit: [htmlErrors, session, forms, csrf.check],
    login: [htmlErrors, session, forms, limited, csrf.check],
    upload: [
      htmlErrors,
      session,
      requireUser(["editor", "admin"]),
      ...(options.multipart ? [options.multipart] : []),
      forms,
      csrf.check,
    ],
  };
}

/** Requires a logged-in official (and a role): otherwise to the login page, or 403. */
export function requireUser(roles: readonly string[] = ["editor", "admin"]): Middleware {
  return async (ctx: Context, next: Next) => {
    const user = currentUser(ctx);
    if (!user) {
      ctx.redirect(`/login?${new URLSearchParams({ next: ctx.method === "GET" ? ctx.url : "/" })}`);
      return;
    }
    if (!roles.includes(user.role)) throw new HttpError(403, stringsOf(ctx).forbidden);
    await next();
  };
}

/** The logged-in official; call only behind {@link requireUser}. */
export function userOf(ctx: Context): WebUser {
  const user = currentUser(ctx);
  if (!user) throw new TypeError("userOf() called without requireUser()");
  return user;
}

/** The form body of a submission, as strings and string arrays. */
export function formOf(ctx: Context): Record<string, string | string[]> {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const out: Record<string, string | string[]> = {};
  if (!body || typeof body !== "object") return out;
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map(String);
  }
  return out;
}

/** The static files under web/static/ and the stylesheet, loaded once. */
export function loadStaticFiles(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  files.set("site.css", {
    type: "text/css; charset=utf-8",
    body: readFileSync(new URL("../../web/styles/site.css", import.meta.url)),
  });
  const dir = new URL("../../web/static/", import.meta.url);
  for (const name of readdirSync(dir)) {
    if (name.endsWith(".js"))
      files.set(name, { type: "text/javascript; charset=utf-8", body: readFileSync(new URL(name, dir)) });
    // The city's avatar and header image on the fediverse.
    if (name.endsWith(".png")) files.set(name, { type: "image/png", body: readFileSync(new URL(name, dir)) });
  }
  return files;
}
