import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { SORT_ORDERS } from "../search/service.ts";
import { CITATION_FORMATS } from "./citation.ts";
import { componentSchemas } from "./openapi-schemas.ts";

// The OpenAPI 3.1 description of every /api route (`GET /api/openapi.json`). The API tests
// check each real answer against it (http/test-support.ts `apiFetch`), so it cannot drift.

/** What the description says about the node serving it. */
export interface OpenApiOptions {
  readonly origin: string;
  readonly cityName: string;
  readonly version: string;
}

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({ description, content: { "application/json": { schema } } });
const error = (description: string) => json(ref("Error"), description);
const text = (type: string, description: string) => ({
  description,
  content: { [type]: { schema: { type: "string" } } },
});

function query(name: string, description: string, schema: Json = { type: "string" }, required = false): Json {
  return { name, in: "query", description, required, schema };
}

const idParam = (description = "The item's id (its URL on its origin node)") =>
  query("id", description, { type: "string", format: "uri" }, true);
const typeParam = query("type", "Only items of this type", { enum: [...DOCUMENT_TYPES] });
const limitParam = (max: number) =>
  query("limit", `Page size (1–${max}, default 20)`, { type: "integer", minimum: 1, maximum: max });
const offsetParam = query("offset", "Items to skip", { type: "integer", minimum: 0 });
const bearer = [{ bearer: [] }];
const unauthorized = {
  "401": error("No or an unknown bearer token"),
  "403": error("The token's role may not do this"),
};
const badRequest = error("A parameter or the body is invalid; `details` names which");

const searchFilters = [
  query(
    "q",
    "Words to look for (lunr syntax: +required -excluded prefix* typo~1); at most 256 characters and 16 terms",
  ),
  typeParam,
  query("city", "Who signed the items: this node's city name, or a peer's host"),
  query("tag", "A theme or tag"),
  query("lang", "A language the item is written or translated in (BCP 47)", {
    type: "string",
    pattern: "^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$",
  }),
];

/** A JSON request body of one required string property. */
function oneField(name: string, schema: Json = { type: "string" }): Json {
  return {
    required: true,
    content: { "application/json": { schema: { type: "object", properties: { [name]: schema }, required: [name] } } },
  };
}

function paths(): Json {
  const peerAction = (summary: string, field: "actor" | "host") => ({
    post: {
      summary,
      tags: ["Peers"],
      security: bearer,
      requestBody: oneField(field),
      responses: {
        "200": json(ref("PeerAction"), "Done"),
        "400": badRequest,
        ...unauthorized,
        default: error("Refused (not found, conflict, unreachable)"),
      },
    },
  });
  return {
    "/api/search": {
      get: {
        summary: "Search the network's library; with format=csv or jsonl, export every match",
        tags: ["Library"],
        parameters: [
          ...searchFilters,
          query("year", "The item's year (a case's start, a dataset's issue)", {
            type: "integer",
            minimum: 1,
            maximum: 9999,
          }),
          query("status", "Adoptions at this status (considering, planning, piloting, adopted, paused, abandoned)"),
          query("adopted", "1: only cases that at least one city adopts", { type: "integer", enum: [0, 1] }),
          query("sort", "Order of the results (default relevance; without q, most recently updated first)", {
            enum: [...SORT_ORDERS],
          }),
          limitParam(100),
          offsetParam,
          query("format", "json (a page, the default), or every match (at most 10,000, same order) as csv or jsonl", {
            enum: ["json", "csv", "jsonl"],
          }),
        ],
        responses: {
          "200": {
            description: "A page of results with facet counts; or the export, streamed",
            headers: { "X-Total-Count": { description: "Exports: the matches ranked", schema: { type: "integer" } } },
            content: {
              "application/json": { schema: ref("SearchResponse") },
              "text/csv": {
                schema: {
                  type: "string",
                  description:
                    "UTF-8 with a BOM and a header row: title, type, city, country, language, year, themes, tags, SDGs, summary, URL, origin, verified, version, updated",
                },
              },
              "application/jsonl": { schema: { type: "string", description: "One JSON object a line" } },
            },
          },
          "400": badRequest,
          "503": error("The search index is still being built (Retry-After)"),
        },
      },
    },
    "/api/items": {
      get: {
        summary: "One item (with id), or a page of the library's live items, newest first",
        tags: ["Library"],
        parameters: [
          query("id", "An item's id: answers that item, signed", { type: "string", format: "uri" }),
          query("version", "With id: a past version", { type: "integer", minimum: 1 }),
          typeParam,
          query("city", "Who signed the items: this node's city name, or a peer's host"),
          query("case", "Only the verified items naming this case (with type=Adoption: the cities adopting it)", {
            type: "string",
            format: "uri",
          }),
          limitParam(500),
          offsetParam,
        ],
        responses: {
          "200": json({ oneOf: [ref("ItemList"), ref("SignedItem")] }, "The page of items, or the item with its JWS"),
          "400": badRequest,
          "404": error("No such item or version"),
          "410": json(ref("DeletedItem"), "The item was deleted: its signed Tombstone"),
        },
      },
      post: {
        summary: "Publish a new item (validated, signed, federated); with draft=1, save a draft instead",
        tags: ["Publishing"],
        security: bearer,
        parameters: [query("draft", "1: save as a private, unsigned draft", { enum: ["1"] })],
        requestBody: { required: true, content: { "application/json": { schema: ref("DocumentInput") } } },
        responses: {
          "201": json({ oneOf: [ref("Published"), ref("Draft")] }, "Published (Location: its id), or the draft saved"),
          "400": badRequest,
          ...unauthorized,
          "413": error("The body is too large"),
          "415": error("The body is not JSON"),
        },
      },
      put: {
        summary: "Publish a new version of one of this node's items",
        tags: ["Publishing"],
        security: bearer,
        parameters: [
          idParam(),
          {
            name: "If-Match",
            in: "header",
            description: 'The version the change is based on, as its ETag ("3")',
            schema: { type: "string" },
          },
        ],
        requestBody: { required: true, content: { "application/json": { schema: ref("DocumentInput") } } },
        responses: {
          "200": json(ref("Published"), "The new version"),
          "400": badRequest,
          ...unauthorized,
          "404": error("No such item"),
          "409": error("Another version was published meanwhile"),
          "410": error("The item was deleted"),
          "412": error("If-Match names an older version"),
          "413": error("The body is too large"),
          "415": error("The body is not JSON"),
        },
      },
      delete: {
        summary: "Delete one of this node's items (a signed Tombstone reaches the peers)",
        tags: ["Publishing"],
        security: bearer,
        parameters: [idParam()],
        responses: {
          "200": json(ref("Deleted"), "Deleted"),
          "400": badRequest,
          ...unauthorized,
          "404": error("No such item"),
          "409": error("Conflict"),
          "410": error("Already deleted"),
          "412": error("If-Match names an older version"),
        },
      },
    },
    "/api/items/versions": {
      get: {
        summary: "An item's version history, newest first (authors for the city's officials only)",
        tags: ["Library"],
        parameters: [idParam()],
        responses: {
          "200": json(ref("Versions"), "The versions"),
          "400": badRequest,
          "401": error("An unknown bearer token (none is needed)"),
          "404": error("No such item"),
        },
      },
    },
    "/api/items/citation": {
      get: {
        summary: "How to cite an item: BibTeX, RIS, CSL-JSON or a formatted reference (APA)",
        tags: ["Outputs"],
        parameters: [
          idParam(),
          query("format", "Default text", { enum: [...CITATION_FORMATS] }),
          query("version", "A past version", { type: "integer", minimum: 1 }),
        ],
        responses: {
          "200": {
            description: "The reference; its author is the city that signed the item",
            content: {
              "application/x-bibtex": { schema: { type: "string" } },
              "application/x-research-info-systems": { schema: { type: "string" } },
              "application/vnd.citationstyles.csl+json": { schema: { type: "array", items: { type: "object" } } },
              "text/plain": { schema: { type: "string" } },
            },
          },
          "400": badRequest,
          "404": error("No such item"),
          "410": error("The item was deleted"),
        },
      },
    },
    "/api/items/announce": {
      post: {
        summary: "Relay an item this node holds to its followers",
        tags: ["Peers"],
        security: bearer,
        requestBody: oneField("id", { type: "string", format: "uri" }),
        responses: {
          "200": json(ref("PeerAction"), "Announced (actor names the item)"),
          "400": badRequest,
          ...unauthorized,
          default: error("Refused"),
        },
      },
    },
    "/api/drafts": {
      get: {
        summary: "The caller's drafts, or one draft (with id)",
        tags: ["Publishing"],
        security: bearer,
        parameters: [query("id", "A draft's id")],
        responses: {
          "200": json({ oneOf: [ref("Drafts"), ref("Draft")] }, "The drafts, or the draft"),
          ...unauthorized,
          "404": error("No such draft"),
        },
      },
      delete: {
        summary: "Discard a draft",
        tags: ["Publishing"],
        security: bearer,
        parameters: [query("id", "A draft's id", { type: "string" }, true)],
        responses: {
          "204": { description: "Discarded" },
          "400": badRequest,
          ...unauthorized,
          "404": error("No such draft"),
        },
      },
    },
    "/api/drafts/publish": {
      post: {
        summary: "Publish a draft (validated and signed as POST /api/items)",
        tags: ["Publishing"],
        security: bearer,
        parameters: [query("id", "A draft's id", { type: "string" }, true)],
        responses: {
          "201": json(ref("Published"), "Published"),
          "400": badRequest,
          ...unauthorized,
          "404": error("No such draft"),
          "409": error("The item changed or can no longer be changed"),
        },
      },
    },
    "/api/export": {
      get: {
        summary: "The signed library as NDJSON, one {document, jws} a line, verifiable offline (wego verify-bundle)",
        tags: ["Outputs"],
        parameters: [
          query("scope", "local (this node's items, the default) or network (its peers' verified items too)", {
            enum: ["local", "network"],
          }),
        ],
        responses: { "200": text("application/x-ndjson", "The bundle, streamed"), "400": badRequest },
      },
    },
    "/api/assess": {
      post: {
        summary: "Score a city's answers against a pathway's readiness checklist and prerequisites; stores nothing",
        tags: ["Library"],
        requestBody: { required: true, content: { "application/json": { schema: ref("AssessRequest") } } },
        responses: {
          "200": json(ref("Assessment"), "The score, readiness and gaps"),
          "400": badRequest,
          "404": error("No such pathway"),
          "410": error("The pathway was deleted"),
          "413": error("The body is too large"),
          "415": error("The body is not JSON"),
        },
      },
    },
    "/api/peers": {
      get: {
        summary: "The established peerings (admins: every peer, request and block)",
        tags: ["Peers"],
        responses: { "200": json(ref("Peers"), "The peers"), "401": error("An unknown bearer token (none is needed)") },
      },
      ...peerAction("Follow a city (by actor URL or handle)", "actor"),
    },
    "/api/peers/approve": peerAction("Accept a city's follow request", "actor"),
    "/api/peers/reject": peerAction("Reject a city's follow request", "actor"),
    "/api/peers/unfollow": peerAction("Stop following a city", "actor"),
    "/api/peers/block": peerAction("Block a host: end the follows, purge its items", "host"),
    "/api/peers/unblock": peerAction("Unblock a host", "host"),
    "/api/peers/resync": peerAction("Import a followed city's whole outbox again", "actor"),
    "/api/openapi.json": {
      get: {
        summary: "This description",
        tags: ["Outputs"],
        responses: { "200": json({ type: "object" }, "OpenAPI 3.1") },
      },
    },
  };
}

/** The OpenAPI 3.1 document of this node's API. */
export function buildOpenApi(options: OpenApiOptions): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: `WeGO Exchange API · ${options.cityName}`,
      version: options.version,
      description:
        'The JSON API of a WeGO Exchange node: the network\'s library (this city\'s items and its peers\' verified ones), publishing, peering and the outputs. Every error answers `{"error", "details"?}`.',
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: options.origin }],
    tags: [
      { name: "Library", description: "Read and search the library" },
      { name: "Publishing", description: "The city's officials publish (bearer token of an editor or admin)" },
      { name: "Peers", description: "Peering with other cities (admin)" },
      { name: "Outputs", description: "Citations, exports and this description" },
    ],
    paths: paths(),
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A token from `wego token create`" },
      },
    },
  };
}
