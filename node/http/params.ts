import type { Context } from "koa";
import { HttpError } from "./errors.ts";

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
    throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`, [{ path: name, message: `must be an integer from ${min} to ${max}` }]);
  }
  return n;
}
