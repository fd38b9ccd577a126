import { randomBytes } from "node:crypto";
import type Koa from "koa";
import type { Context, Middleware, Next } from "koa";
import { createSession } from "koa-session";
import { createRequire } from "node:module";
import type { Orm } from "../db/orm.ts";
import { createWebSessionStore } from "../db/web-sessions.ts";
import type { Role } from "../auth/tokens.ts";

/** An official logged in to the web pages. */
export interface WebUser {
  readonly username: string;
  readonly role: Role;
  /** The author name written in version histories (`user:<username>`). */
  readonly name: string;
}

/** A one-time message: news, or a failure the reader must see as one. */
export interface Flash {
  readonly text: string;
  readonly error: boolean;
}

/** What a web session holds. */
export interface WebSessionData {
  user?: WebUser;
  /** koa-csrf's per-session secret. */
  secret?: string;
  /** A one-time message shown on the next page (e.g. "Published", or why a follow failed). */
  flash?: Flash;
}

// koa-csrf ships no types, and @types/koa-csrf widens Koa's DefaultState for every router.
const CSRF = createRequire(import.meta.url)("koa-csrf") as new (options: {
  errorHandler: (ctx: Context) => void;
}) => Middleware;

/** The session cookie's name. */
export const SESSION_COOKIE = "wego_session";
const SESSION_MAX_AGE_MS = 8 * 60 * 60 * 1000;

/**
 * koa-session middleware for the web pages: HttpOnly, SameSite=Lax cookie, Secure over
 * HTTPS, 8 hours, renewed while used, kept in the database (node/db/web-sessions.ts).
 * Unsigned on purpose: the cookie's value is a random 256-bit key looked up in the store,
 * so there is nothing to forge and no signing secret to keep.
 */
export function webSession(app: Koa, orm: Orm, options: { readonly secure?: boolean } = {}): Middleware {
  const session = createSession(
    {
      key: SESSION_COOKIE,
      maxAge: SESSION_MAX_AGE_MS,
      httpOnly: true,
      sameSite: "lax",
      signed: false,
      renew: true,
      store: createWebSessionStore(orm, { defaultTtlMs: SESSION_MAX_AGE_MS }),
      genid: () => randomBytes(32).toString("base64url"),
    },
    app,
  ) as Middleware;
  if (!options.secure) return session;
  // Behind a TLS-terminating proxy the node sees plain HTTP; its https origin says the
  // browser does not, so the cookie is marked Secure all the same.
  return (ctx, next) => {
    ctx.cookies.secure = true;
    return session(ctx, next);
  };
}

/**
 * Starts a new session for a user who just logged in: a new session id (the old one is
 * removed from the store, so a session planted before login cannot be taken over) and
 * nothing carried over from before, in particular not the CSRF secret: a token handed out
 * on the anonymous login page does not work once logged in. koa-session's `regenerate()`
 * alone keeps the data.
 */
export async function startUserSession(ctx: Context, user: WebUser): Promise<void> {
  const session = (ctx as unknown as { session: WebSessionData & { regenerate(): Promise<void> } }).session;
  await session.regenerate();
  delete session.secret;
  delete session.flash;
  session.user = user;
}

/** Ends the session: removed from the store and its cookie expired (its CSRF secret with it). */
export function endSession(ctx: Context): void {
  (ctx as unknown as { session: null }).session = null;
}

/** The session of a request that went through {@link webSession}. */
export function sessionOf(ctx: Context): WebSessionData {
  return (ctx as unknown as { session: WebSessionData }).session;
}

/** The logged-in official, if any; never creates a session. */
export function currentUser(ctx: Context): WebUser | undefined {
  if (!ctx.cookies.get(SESSION_COOKIE)) return undefined;
  return sessionOf(ctx)?.user;
}

/** Options of {@link csrfProtection}. */
export interface CsrfOptions {
  /** Renders the page for a missing or wrong token (status 403). */
  readonly onInvalid: (ctx: Context) => void;
}

/**
 * koa-csrf (synchronizer tokens kept in the session) for every web form. Every POST is
 * checked; a GET gets a token (`ctx.state._csrf`) only when it already has a session or
 * `always` is set, so anonymous readers of public pages are never given a session.
 */
export function csrfProtection(options: CsrfOptions): {
  check: Middleware;
  token: Middleware;
  tokenIfSession: Middleware;
} {
  const csrf = new CSRF({ errorHandler: (ctx) => options.onInvalid(ctx) });
  return {
    check: csrf,
    token: csrf,
    tokenIfSession: (ctx: Context, next: Next) => (ctx.cookies.get(SESSION_COOKIE) ? csrf(ctx, next) : next()),
  };
}

/** The CSRF token of this request for a form's hidden `_csrf` field. */
export function csrfToken(ctx: Context): string | undefined {
  return (ctx.state as { _csrf?: string })._csrf;
}
