import type { Context } from "koa";
import { HttpError } from "./errors.ts";

// The API reads its query parameters strictly (a repeated or malformed one is a 400 that
// says which); the pages read them forgivingly, as a person typed them or an old link has them.

/** A query parameter given at most once; empty counts as absent. 400 when repeated. */
export function oneParam(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  if (Array.isArray(value)) throw new HttpError(400, `give ${name} once`, [{ path: name, message: "is repeated" }]);
  return value === undefined || value === "" ? undefined : value;
}

/** An integer query parameter within [min, max]; 400 with the allowed range otherwise. */
export function intParam(ctx: Context, name: string, min: number, max: number): number | undefined {
  const raw = oneParam(ctx, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`, [
      { path: name, message: `must be an integer from ${min} to ${max}` },
    ]);
  }
  return n;
}

/**
 * A query parameter as a page reads it: the first of repeated values, trimmed and cut to
 * `maxLength` characters; empty or blank counts as absent.
 */
export function textParam(ctx: Context, name: string, maxLength = 500): string | undefined {
  const value = ctx.query[name];
  const first = (Array.isArray(value) ? value[0] : value)?.trim();
  return first ? first.slice(0, maxLength) : undefined;
}
