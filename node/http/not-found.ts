import type { Context, Middleware, Next } from "koa";
import { renderNotFoundPage } from "../../web/templates/message.ts";
import { HttpError } from "./errors.ts";
import { frameFor, sendPage } from "./web-context.ts";

// An address no router answers. {@link noRoute} ends the chain with the JSON error of every
// API answer; {@link notFoundPages}, in front of the routers, turns it into the not-found page
// in the reader's language when a browser asks. API clients, `curl` with its `*/*` and
// ActivityPub peers keep the JSON.

/** The error {@link noRoute} throws: a plain 404 `{ "error": "not found" }` at the error edge. */
class NoRouteError extends HttpError {
  constructor() {
    super(404, "not found");
  }
}

/** The last middleware: a request nothing answered is a 404. */
export function noRoute(): Middleware {
  return (ctx: Context) => {
    if (ctx.status === 404 && ctx.body === undefined) throw new NoRouteError();
  };
}

/** Options of {@link notFoundPages}. */
export interface NotFoundPagesOptions {
  /** The node's city, named in the page's header. */
  readonly cityName: string;
  /** The public pages' middleware (the session of a signed-in reader), run before the page renders. */
  readonly page: readonly Middleware[];
}

/** Whether a request is for the API, whatever it accepts. */
function isApiPath(ctx: Context): boolean {
  return ctx.path === "/api" || ctx.path.startsWith("/api/");
}

/** Whether a request asks for a page: HTML preferred over JSON, outside `/api/`. */
function wantsPage(ctx: Context): boolean {
  if (isApiPath(ctx)) return false;
  // JSON is listed first so that `*/*` alone (curl, most HTTP libraries) means JSON.
  return ctx.accepts("application/json", "text/html") === "text/html";
}

/** Runs middleware in turn, then `last` (koa-compose in a few lines: it is not a dependency of ours). */
function runThen(ctx: Context, stack: readonly Middleware[], last: () => void, i = 0): Promise<void> {
  const middleware = stack[i];
  if (!middleware) {
    last();
    return Promise.resolve();
  }
  return Promise.resolve(middleware(ctx, () => runThen(ctx, stack, last, i + 1)));
}

/** Put in front of the routers: answers {@link noRoute}'s 404 with an HTML page when a browser asks. */
export function notFoundPages(options: NotFoundPagesOptions): Middleware {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof NoRouteError)) throw error;
      if (!wantsPage(ctx)) {
        if (!isApiPath(ctx)) ctx.vary("Accept");
        throw error;
      }
      await runThen(ctx, options.page, () => {
        const frame = frameFor(ctx, options.cityName, "404");
        sendPage(ctx, 404, renderNotFoundPage({ ...frame, title: frame.t.notFound }));
        // After frameFor(), which sets Vary for the language.
        ctx.vary("Accept");
      });
    }
  };
}
