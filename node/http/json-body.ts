import { bodyParser } from "@koa/bodyparser";
import type { Middleware } from "koa";
import { HttpError } from "./errors.ts";

/**
 * Parses a JSON request body of at most `maxBytes`: 413 past the limit (told by
 * Content-Length before anything is read, or by the parser as it reads), 415 for any other
 * media type, 400 for JSON that is not well formed.
 */
export function jsonBody(maxBytes: number, what = "the body"): Middleware[] {
  const parse = bodyParser({ enableTypes: ["json"], jsonLimit: `${maxBytes}b`, jsonStrict: true, encoding: "utf-8" });
  const check: Middleware = async (ctx, next) => {
    if (Number(ctx.get("content-length") || 0) > maxBytes)
      throw new HttpError(413, `request body is too large (limit ${maxBytes} bytes)`);
    if (!ctx.is("application/json", "application/*+json")) throw new HttpError(415, `send ${what} as application/json`);
    await next();
  };
  return [check, parse];
}
