import { html, type SafeHtml } from "../html.ts";
import type { Strings } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";

// The API reference page (`GET /api`), rendered on the server from the node's OpenAPI
// document: no script, no CDN. The chrome follows the reader's language; the descriptions
// are the document's own (English).

type Json = Record<string, unknown>;

const METHODS = ["get", "post", "put", "delete"] as const;

/** A schema in a few words: `string (uri)`, `integer`, `one of: a, b`, or the component it names. */
function schemaLabel(schema: unknown): string {
  const s = (schema ?? {}) as Json;
  if (typeof s.$ref === "string") return s.$ref.split("/").at(-1)!;
  if (Array.isArray(s.enum)) return s.enum.join(" | ");
  if (Array.isArray(s.oneOf)) return s.oneOf.map(schemaLabel).join(" | ");
  if (s.type === "array") return `${schemaLabel(s.items)}[]`;
  const type = Array.isArray(s.type) ? s.type.join(" | ") : String(s.type ?? "object");
  return typeof s.format === "string" ? `${type} (${s.format})` : type;
}

/** Where a component schema is described on the page (`#schema-SearchResponse`), if it is. */
function schemaLink(schema: unknown, shown: ReadonlySet<string>): SafeHtml {
  const s = (schema ?? {}) as Json;
  if (s.type === "array") return html`${schemaLink(s.items, shown)}<code>[]</code>`;
  const label = schemaLabel(schema);
  return shown.has(label) ? html`<a href="#schema-${label}"><code>${label}</code></a>` : html`<code>${label}</code>`;
}

/** The properties of the answers' schemas, one table each (the document schemas are in schemas/). */
function renderSchemas(t: Strings, schemas: Record<string, Json>, shown: ReadonlySet<string>): SafeHtml {
  return html`${[...shown].map((name) => {
    const schema = schemas[name]!;
    const properties = (schema.properties ?? {}) as Record<string, Json>;
    const required = new Set((schema.required ?? []) as string[]);
    return html`<section id="schema-${name}"><h3><code>${name}</code></h3>
${schema.description ? html`<p>${String(schema.description)}</p>` : ""}
<table><thead><tr><th scope="col">${t.apiName}</th><th scope="col">${t.apiSchema}</th><th scope="col">${t.apiRequired}</th></tr></thead>
<tbody>${Object.entries(properties).map(([prop, p]) => html`<tr><td><code>${prop}</code></td><td>${schemaLink(p, shown)}</td><td>${required.has(prop) ? "✓" : ""}</td></tr>`)}</tbody></table>
</section>`;
  })}`;
}

function anchor(method: string, path: string): string {
  return `${method}-${path.replace(/[^a-z0-9]+/gi, "-")}`.replace(/-+$/, "");
}

function renderOperation(t: Strings, method: string, path: string, op: Json, shown: ReadonlySet<string>): SafeHtml {
  const parameters = (op.parameters ?? []) as Json[];
  const body = ((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, Json>;
  const responses = (op.responses ?? {}) as Record<string, Json>;
  return html`<section class="operation" id="${anchor(method, path)}">
<h3><code class="method">${method.toUpperCase()}</code> <code>${path}</code></h3>
<p>${String(op.summary ?? "")}${op.security ? html` <span class="badge">${t.apiAuth}</span>` : ""}</p>
${
  parameters.length
    ? html`<table><caption>${t.apiParameters}</caption>
<thead><tr><th scope="col">${t.apiName}</th><th scope="col">${t.apiIn}</th><th scope="col">${t.apiSchema}</th><th scope="col">${t.apiRequired}</th></tr></thead>
<tbody>${parameters.map((p) => html`<tr><td><code>${String(p.name)}</code><br><small>${String(p.description ?? "")}</small></td><td>${String(p.in)}</td><td><code>${schemaLabel(p.schema)}</code></td><td>${p.required ? "✓" : ""}</td></tr>`)}</tbody></table>`
    : ""
}
${
  Object.keys(body).length
    ? html`<p><strong>${t.apiRequestBody}:</strong> ${Object.entries(body).map(([type, c]) => html`<code>${type}</code> ${schemaLink(c.schema, shown)} `)}</p>`
    : ""
}
<table><caption>${t.apiResponses}</caption>
<tbody>${Object.entries(responses).map(
    ([status, r]) =>
      html`<tr><th scope="row">${status}</th><td>${String(r.description ?? "")}</td><td>${Object.entries((r.content ?? {}) as Record<string, Json>).map(([type, c]) => html`<code>${type}</code> ${schemaLink(c.schema, shown)}<br>`)}</td></tr>`,
  )}</tbody></table>
</section>`;
}

/** Renders the API reference: every path and method of `document`, grouped by tag, with a table of contents. */
export function renderApiReference(frame: PageFrame, document: Json): string {
  const { t } = frame;
  const paths = (document.paths ?? {}) as Record<string, Json>;
  const operations = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as Json })),
  );
  const tags = ((document.tags ?? []) as Json[]).map((tag) => String(tag.name));
  const schemas = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  // The answers' own shapes: objects with properties; the document schemas (built on
  // `common.documentCore` through allOf) and their parts stay in /api/openapi.json.
  const shown = new Set(
    Object.keys(schemas).filter((name) => !name.includes(".") && schemas[name]!.properties && !schemas[name]!.allOf),
  );

  return renderLayout(
    frame,
    html`<div class="api-ref">
<h1>${t.apiReference}</h1>
<p class="lede">${t.apiIntro}</p>
<p><a href="/api/openapi.json" type="application/json">${t.apiDescriptionLink}</a></p>
<nav aria-label="${t.apiReference}"><ul>${operations.map(({ path, method }) => html`<li><a href="#${anchor(method, path)}"><code>${method.toUpperCase()} ${path}</code></a></li>`)}</ul></nav>
${tags.map(
  (tag) => html`<h2>${tag}</h2>
${operations.filter(({ op }) => ((op.tags ?? []) as string[]).includes(tag)).map(({ path, method, op }) => renderOperation(t, method, path, op, shown))}`,
)}
<h2>${t.apiSchema}</h2>
${renderSchemas(t, schemas, shown)}
</div>`,
  );
}
