import type { Middleware } from "koa";
import type { Orm } from "../db/orm.ts";
import { authenticateToken } from "../db/token-store.ts";
import type { Principal, Role } from "../auth/tokens.ts";
import { HttpError } from "./errors.ts";

/** Koa state set once a request is authenticated. */
export interface AuthState {
  principal?: Principal;
}

const CHALLENGE = 'Bearer realm="wego"';

/**
 * Requires a bearer token of one of `roles`: 401 when it is missing or unknown,
 * 403 when it is valid but its role may not do this.
 */
export function requireRole(orm: Orm, roles: readonly Role[]): Middleware<AuthState> {
  return async (ctx, next) => {
    const header = ctx.get("authorization");
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new HttpError(401, "a bearer token is required", undefined, { "WWW-Authenticate": CHALLENGE });
    const principal = await authenticateToken(orm, match[1]!);
    if (!principal) {
      throw new HttpError(401, "the bearer token is not valid", undefined, {
        "WWW-Authenticate": `${CHALLENGE}, error="invalid_token"`,
      });
    }
    if (!roles.includes(principal.role)) {
      throw new HttpError(403, `this needs the ${roles.join(" or ")} role; the token has ${principal.role}`);
    }
    ctx.state.principal = principal;
    await next();
  };
}

/**
 * Reads a bearer token when one is sent: sets `ctx.state.principal` for a valid one,
 * answers 401 for an unknown one, and lets anonymous requests through without a principal
 * (for reads whose answer depends on who asks).
 */
export function optionalRole(orm: Orm): Middleware<AuthState> {
  return async (ctx, next) => {
    const header = ctx.get("authorization");
    if (!header) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? await authenticateToken(orm, match[1]!) : null;
    if (!principal) {
      throw new HttpError(401, "the bearer token is not valid", undefined, {
        "WWW-Authenticate": `${CHALLENGE}, error="invalid_token"`,
      });
    }
    ctx.state.principal = principal;
    await next();
  };
}
