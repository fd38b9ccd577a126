import { Peer } from "../db/entities.ts";
import type { Orm } from "../db/orm.ts";
import type { Library } from "../library/library.ts";
import { draftFixture } from "../test-support.ts";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { buildOpenApi } from "../outputs/openapi.ts";

// Test support for the http tests: the rows and documents a peer city leaves on this node.

/** Inserts the peer row of `actorId` as peering leaves it: `weFollow` (accepted unless told), no backfill, not following us. */
export async function addPeerRow(orm: Orm, actorId: string, name: string | null, weFollow = "accepted"): Promise<void> {
  const now = new Date().toISOString();
  await orm.em.fork().insert(Peer, {
    actorId,
    host: new URL(actorId).host,
    name,
    weFollow,
    theyFollow: "none",
    backfillState: "idle",
    backfillDone: 0,
    backfillTotal: 0,
    createdAt: now,
    updatedAt: now,
  });
}

/** A minimal case study Busan published at `id` (version 1, 1 January 2026), with `fields` (city, title…) set over it. */
export function busanCaseStudy(id: string, fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    ...draftFixture("case-study.minimal"),
    id,
    attributedTo: "http://busan.test/cities/busan",
    ...fields,
    published: "2026-01-01T00:00:00Z",
    updated: "2026-01-01T00:00:00Z",
    version: 1,
  };
}

/** Stores `document` as Busan's version that ingest verified (signature and origin), as a peer's item arrives; fails the test if refused. */
export async function ingestFromBusan(library: Library, document: Record<string, unknown>): Promise<void> {
  const result = await library.ingest({
    document,
    jws: "h..peer",
    origin: "http://busan.test",
    provenance: { via: "http://busan.test/cities/busan", receivedAt: "2026-01-02T00:00:00Z", kid: "busan-key" },
  });
  if (!result.ok) throw new Error(`ingest refused: ${result.reason}`);
}

// Every API test's answers are checked against the node's OpenAPI description, so the
// description cannot drift from what the routes answer.

const openApi = buildOpenApi({ origin: "http://seoul.test", cityName: "Seoul", version: "test" });
const ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
ajvFormats.default(ajv);
ajv.addSchema(openApi, "openapi.json");
const validators = new Map<string, ValidateFunction>();

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
}

/**
 * Checks an answer of the API against the OpenAPI description: its path and method are
 * described, its status is one of the operation's responses, its media type one that
 * response has, and a JSON body conforms to that response's schema (ajv). Throws saying
 * what does not match.
 */
export async function expectConformsToOpenApi(
  method: string,
  res: Response,
  path = new URL(res.url).pathname,
): Promise<void> {
  const paths = openApi.paths as Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
  >;
  const operation = paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`OpenAPI: ${method} ${path} is not described`);
  const status = operation.responses[String(res.status)] ? String(res.status) : "default";
  const response = operation.responses[status];
  if (!response) throw new Error(`OpenAPI: ${method} ${path} does not describe status ${res.status}`);
  const body = await res.text();
  if (!response.content) {
    if (body !== "") throw new Error(`OpenAPI: ${method} ${path} ${res.status} is described without a body`);
    return;
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (!(type in response.content))
    throw new Error(`OpenAPI: ${method} ${path} ${res.status} is described without ${type || "a media type"}`);
  if (type !== "application/json") return;
  const at = `openapi.json#/${pointer("paths", path, method.toLowerCase(), "responses", status, "content", type, "schema")}`;
  let validate = validators.get(at);
  if (!validate) {
    validate = ajv.compile({ $ref: at });
    validators.set(at, validate);
  }
  if (!validate(JSON.parse(body)))
    throw new Error(
      `OpenAPI: ${method} ${path} ${res.status} answered ${body.slice(0, 500)}\n${ajv.errorsText(validate.errors)}`,
    );
}

/**
 * `fetch` for API tests: an answer under `/api` is checked against the OpenAPI description
 * before it is returned (other paths, such as an item's page, pass unchecked).
 */
export async function apiFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(input, init);
  if (new URL(res.url).pathname.startsWith("/api")) await expectConformsToOpenApi(init.method ?? "GET", res.clone());
  return res;
}
