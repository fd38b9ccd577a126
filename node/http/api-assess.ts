import Router from "@koa/router";
import type { Library } from "../library/library.ts";
import { assess, checkAnswers } from "../library/assess.ts";
import type { Pathway } from "../library/documents.generated.ts";
import { HttpError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";

/** Dependencies of `/api/assess`. */
export interface AssessApiDeps {
  readonly library: Library;
}

/**
 * The answers to a pathway are two short arrays: this bounds what one request can make the
 * node parse (a pathway's own entries are bounded by the document size limit).
 */
const MAX_ASSESS_BODY_BYTES = 64 * 1024;

/**
 * `POST /api/assess`: anyone scores a city's answers against a pathway the node holds (its
 * own or a peer's verified one), at its current version. Stores nothing.
 */
export function createAssessRouter(deps: AssessApiDeps): Router {
  const router = new Router();
  router.post("/api/assess", ...jsonBody(MAX_ASSESS_BODY_BYTES, "the answers"), async (ctx) => {
    const body = ctx.request.body as unknown;
    if (!body || typeof body !== "object" || Array.isArray(body))
      throw new HttpError(400, "the body must be a JSON object", [{ path: "", message: "must be a JSON object" }]);
    const { pathway: id, readiness, prerequisites } = body as Record<string, unknown>;
    if (typeof id !== "string" || !URL.canParse(id))
      throw new HttpError(400, "name the pathway by its id URL", [{ path: "/pathway", message: "must be a URL" }]);
    const item = await deps.library.get(id);
    if (!item) throw new HttpError(404, "this node holds no such pathway");
    if (item.deleted) throw new HttpError(410, "the pathway was deleted");
    if (item.type !== "Pathway")
      throw new HttpError(400, `the item is a ${item.type}, not a Pathway`, [
        { path: "/pathway", message: "is not a Pathway" },
      ]);
    const pathway = item.document as unknown as Pathway;
    const checked = checkAnswers(pathway, { readiness, prerequisites });
    if (!checked.ok) throw new HttpError(400, "the answers do not fit the pathway", checked.details);
    ctx.body = { pathway: item.id, version: item.version, ...assess(pathway, checked.answers) };
  });
  return router;
}
