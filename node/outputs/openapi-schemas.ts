import {
  COMMON_SCHEMA_FILE,
  DOCUMENT_TYPES,
  readSchema,
  SCHEMA_BASE,
  SCHEMA_FILE_BY_TYPE,
  type Schema,
  SUPERSEDED_SCHEMA_FILES,
} from "../../schemas/catalogue.ts";
import { MANAGED_FIELDS } from "../library/library.ts";

// The schemas of the OpenAPI description: the document schemas of schemas/ (the source of
// truth, copied in so the description stands alone), and the shapes of the API's answers.

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * The component name a schema file's parts go under: `common`, a document type (`CaseStudy`),
 * or a superseded version's file name (`case-study`), whose definitions newer schemas may use.
 */
function prefixOf(file: string): string | undefined {
  if (file === COMMON_SCHEMA_FILE) return "common";
  const type = DOCUMENT_TYPES.find((t) => SCHEMA_FILE_BY_TYPE[t] === file);
  if (type) return type;
  return SUPERSEDED_SCHEMA_FILES.includes(file) ? file.replace(/\.schema\.json$/, "") : undefined;
}

/** The component a `$ref` of a schema file names: `#/$defs/x` of its own file, or another file's (by `$id`). */
function componentRef(value: string, localPrefix: string): string {
  if (value.startsWith("#/$defs/")) return `#/components/schemas/${localPrefix}${value.slice("#/$defs/".length)}`;
  if (!value.startsWith(SCHEMA_BASE)) return value;
  const [file, fragment = ""] = value.slice(SCHEMA_BASE.length).split("#");
  const prefix = prefixOf(file!);
  if (!prefix) return value;
  return fragment.startsWith("/$defs/")
    ? `#/components/schemas/${prefix}.${fragment.slice("/$defs/".length)}`
    : `#/components/schemas/${prefix}`;
}

/** Rewrites the `$ref`s of one schema file so they point into `components.schemas`. */
function relink(node: unknown, localPrefix: string): unknown {
  if (Array.isArray(node)) return node.map((n) => relink(n, localPrefix));
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$id" || key === "$schema") continue;
    if (key === "$ref" && typeof value === "string") {
      out.$ref = componentRef(value, localPrefix);
      continue;
    }
    out[key] = key === "$defs" ? undefined : relink(value, localPrefix);
  }
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  // A `$ref` beside other keywords is JSON Schema 2020-12, but many OpenAPI tools replace the
  // whole object by its target and lose the rest: `allOf` says the same to every tool
  // (`unevaluatedProperties` sees through both alike).
  if (typeof out.$ref === "string" && Object.keys(out).length > 1) {
    const { $ref, ...rest } = out;
    return { ...rest, allOf: [{ $ref }, ...((rest.allOf as unknown[] | undefined) ?? [])] };
  }
  return out;
}

/**
 * The document schemas as components: `common.<def>` for the shared definitions, `<Type>`
 * for each document type (and `<Type>.<def>` for its own definitions), `<Type>Input` for a
 * document as a client sends it (without the fields the node manages), `Document` for any.
 */
function documentSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const common = readSchema(COMMON_SCHEMA_FILE);
  for (const [name, def] of Object.entries((common.$defs ?? {}) as Record<string, Schema>))
    out[`common.${name}`] = relink(def, "common.");
  const core = out["common.documentCore"] as Schema;
  out["common.documentCoreInput"] = {
    ...core,
    description: `${String(core.description ?? "")} As sent to the node: ${MANAGED_FIELDS.join(", ")} are set by the node.`,
    required: (core.required as string[]).filter((f) => !(MANAGED_FIELDS as readonly string[]).includes(f)),
  };
  for (const file of SUPERSEDED_SCHEMA_FILES) {
    const prefix = prefixOf(file)!;
    const schema = readSchema(file);
    for (const [name, def] of Object.entries((schema.$defs ?? {}) as Record<string, Schema>))
      out[`${prefix}.${name}`] = relink(def, `${prefix}.`);
  }
  for (const type of DOCUMENT_TYPES) {
    const schema = readSchema(SCHEMA_FILE_BY_TYPE[type]);
    for (const [name, def] of Object.entries((schema.$defs ?? {}) as Record<string, Schema>))
      out[`${type}.${name}`] = relink(def, `${type}.`);
    const whole = relink(schema, `${type}.`) as Schema;
    out[type] = whole;
    out[`${type}Input`] = JSON.parse(
      JSON.stringify(whole).replaceAll(
        '"#/components/schemas/common.documentCore"',
        '"#/components/schemas/common.documentCoreInput"',
      ),
    );
  }
  out.Document = { oneOf: DOCUMENT_TYPES.map((t) => ref(t)) };
  out.DocumentInput = { oneOf: DOCUMENT_TYPES.map((t) => ref(`${t}Input`)) };
  return out;
}

const str = { type: "string" };
const url = { type: "string", format: "uri" };
const int = { type: "integer" };
const bool = { type: "boolean" };
const date = { type: "string", format: "date-time" };
const counts = { type: "object", additionalProperties: { type: "integer" } };

/** An object whose listed properties are all required (others allowed unless `closed`). */
function object(properties: Record<string, unknown>, optional: readonly string[] = []): Schema {
  return {
    type: "object",
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
  };
}

/** The shapes of the API's answers. */
function responseSchemas(): Record<string, unknown> {
  const peerBase = {
    actor: url,
    host: str,
    handle: { type: ["string", "null"] },
    name: { type: ["string", "null"] },
    state: { enum: ["requested", "pending", "following", "followed", "mutual", "rejected", "blocked", "none"] },
    items: int,
    lastSeen: { type: ["string", "null"] },
    backfill: object({ state: str, done: int, total: int }),
  };
  return {
    Error: {
      ...object({ error: str, details: { type: "array", items: ref("ErrorDetail") } }, ["details"]),
      description: "Every error: what went wrong, and for invalid input which part (a JSON Pointer or parameter name).",
    },
    ErrorDetail: object({ path: str, message: str }),
    SearchResult: object(
      {
        id: url,
        type: str,
        title: str,
        summary: str,
        city: { ...str, description: "Who signed it: this node's city name, or a peer's host" },
        origin: url,
        local: bool,
        verified: bool,
        score: { type: "number" },
        language: str,
        year: { type: ["integer", "null"] },
        updated: date,
        snippet: { ...str, description: "Escaped HTML with <mark> around the matched words (text queries only)" },
      },
      ["snippet"],
    ),
    SearchResponse: object(
      {
        total: int,
        allWords: int,
        shortened: {
          type: "boolean",
          const: true,
          description: "Only the query's first words were searched (over 256 characters or 16 words)",
        },
        results: { type: "array", items: ref("SearchResult") },
        facets: object(
          {
            type: counts,
            city: counts,
            tag: counts,
            lang: counts,
            year: counts,
            status: { ...counts, description: "Adoptions by status" },
          },
          ["status"],
        ),
      },
      ["allWords", "shortened"],
    ),
    ListedItem: object({
      id: url,
      type: str,
      title: str,
      city: str,
      origin: url,
      local: bool,
      verified: bool,
      version: int,
      updated: date,
      language: str,
    }),
    ItemList: object({ total: int, items: { type: "array", items: ref("ListedItem") } }),
    Provenance: object({ via: url, receivedAt: date, kid: str }),
    SignedItem: {
      ...object(
        {
          document: ref("Document"),
          jws: { ...str, description: "Compact JWS with a detached payload: the RFC 8785 canonical JSON of document" },
          origin: url,
          verified: bool,
          local: bool,
          version: int,
          provenance: ref("Provenance"),
        },
        ["provenance", "local", "version"],
      ),
    },
    Tombstone: object({ id: url, type: { const: "Tombstone" } }),
    DeletedItem: object(
      {
        error: str,
        document: ref("Tombstone"),
        jws: str,
        origin: url,
        verified: bool,
        local: bool,
        version: int,
        provenance: ref("Provenance"),
      },
      ["provenance"],
    ),
    Published: object({ id: url, document: ref("Document"), jws: str }),
    Deleted: object({ id: url, deleted: { const: true }, version: int, document: ref("Tombstone"), jws: str }),
    Versions: object({
      id: url,
      versions: {
        type: "array",
        items: object(
          {
            version: int,
            createdAt: date,
            author: str,
            changed: { type: "array", items: str },
            jws: str,
            deleted: bool,
          },
          ["author"],
        ),
      },
    }),
    DraftSummary: object({
      id: str,
      type: str,
      title: str,
      itemId: { type: ["string", "null"] },
      baseVersion: { type: ["integer", "null"] },
      createdAt: date,
      updatedAt: date,
    }),
    Draft: object({ draft: { allOf: [ref("DraftSummary"), object({ document: { type: "object" } })] } }),
    Drafts: object({ drafts: { type: "array", items: ref("DraftSummary") } }),
    Peer: object(peerBase),
    AdminPeer: {
      ...object({
        ...peerBase,
        actor: { ...str, description: "The city actor's URL; empty for a blocked host whose actor is not known" },
        weFollow: str,
        theyFollow: str,
        lastError: { type: ["string", "null"] },
      }),
      description: "A peer as an admin sees it: every state, both follows, the last error and health.",
    },
    Peers: object({ peers: { type: "array", items: { anyOf: [ref("AdminPeer"), ref("Peer")] } } }),
    PeerAction: object({ ok: { const: true }, actor: str, state: str }, ["state"]),
    Assessment: object({
      pathway: url,
      version: int,
      score: { type: ["integer", "null"] },
      ready: bool,
      gaps: {
        type: "array",
        items: object({ index: int, kind: str, level: str, description: str, status: str }),
      },
    }),
    AssessRequest: object({
      pathway: url,
      readiness: { type: "array", items: { enum: ["yes", "partly", "no"] } },
      prerequisites: { type: "array", items: { enum: ["met", "partly", "unmet", "unknown"] } },
    }),
  };
}

/** Every component schema of the description. */
export function componentSchemas(): Record<string, unknown> {
  return { ...documentSchemas(), ...responseSchemas() };
}
