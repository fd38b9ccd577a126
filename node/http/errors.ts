import type { Middleware } from "koa";
import type { Logger } from "../log.ts";

/** One problem with a request, pointing at its field. */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
  type?: string;
  details?: readonly ErrorDetail[];
  headers?: Record<string, string>;
}

const PUBLIC_MESSAGES: Record<string, string> = {
  "entity.too.large": "request body is too large",
  "entity.parse.failed": "request body is not valid JSON",
  "encoding.unsupported": "request body encoding is not supported",
  "request.aborted": "request was aborted",
};

/**
 * The single error edge: every error leaves as `{ "error", "details"? }` with its status;
 * messages of internal faults (5xx) are logged, never shown.
 */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const err = (caught ?? {}) as HttpishError;
      let status = err.status ?? err.statusCode ?? 500;
      if (!Number.isInteger(status) || status < 400 || status > 599) status = 500;
      // co-body reports malformed JSON as a SyntaxError carrying status 400.
      const known = err.type ? PUBLIC_MESSAGES[err.type] : undefined;
      // A route's own HttpError says what happened, even a 503; any other 5xx is a fault, hidden.
      const told = caught instanceof HttpError;
      let message =
        known ?? ((status < 500 || told) && err.expose !== false ? (err.message ?? "bad request") : "internal error");
      if (status === 400 && caught instanceof SyntaxError) message = PUBLIC_MESSAGES["entity.parse.failed"]!;
      if (status >= 500 && !told)
        logger.error("request failed", {
          method: ctx.method,
          path: ctx.path,
          error: String((caught as Error)?.stack ?? caught),
        });
      ctx.status = status;
      if (err.headers) for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
      ctx.body = err.details ? { error: message, details: err.details } : { error: message };
    }
  };
}

/** An HTTP error with field details, thrown by routes and written by {@link errorMiddleware}. */
export class HttpError extends Error {
  override name = "HttpError";
  readonly expose = true;
  constructor(
    readonly status: number,
    message: string,
    readonly details?: readonly ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** What a client is told to wait (`Retry-After`) while the search index is built at start-up. */
export const INDEXING_RETRY_AFTER_SECONDS = 5;

/** What a client is told to wait (`Retry-After`) when the search threads have as many searches waiting as they may. */
export const BUSY_RETRY_AFTER_SECONDS = 1;
