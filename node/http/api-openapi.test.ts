import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { apiFetch, expectConformsToOpenApi } from "./test-support.ts";

let node: TestServer;

beforeAll(async () => {
  node = await startTestServer();
});
afterAll(async () => {
  await node?.close();
});

describe("GET /api/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document, by an independent validator, with every reference resolved", async () => {
    const res = await apiFetch(`${node.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as Record<string, unknown>;
    expect(document.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // Every $ref points at a component that exists.
    const components = (document.components as { schemas: Record<string, unknown> }).schemas;
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((name) => !(name in components))).toEqual([]);
  });

  it("describes every /api route the node answers, with the document schemas from schemas/", async () => {
    const document = (await (await fetch(`${node.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // The routes the node's routers answer (app.ts), found by asking for an unknown method.
    for (const route of [
      "GET /api/search",
      "GET /api/items",
      "POST /api/items",
      "PUT /api/items",
      "DELETE /api/items",
      "GET /api/items/versions",
      "GET /api/items/citation",
      "POST /api/items/announce",
      "GET /api/drafts",
      "DELETE /api/drafts",
      "POST /api/drafts/publish",
      "GET /api/export",
      "POST /api/assess",
      "GET /api/peers",
      "POST /api/peers",
      "POST /api/peers/approve",
      "POST /api/peers/block",
      "GET /api/openapi.json",
    ])
      expect(described).toContain(route);
  });

  it("carries the document schemas of schemas/: a stored document, a client's input without managed fields, and a wrong one", async () => {
    const document = (await (await fetch(`${node.url}/api/openapi.json`)).json()) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
    ajvFormats.default(ajv);
    ajv.addSchema(document, "openapi.json");
    const check = (name: string, value: unknown) =>
      ajv.validate({ $ref: `openapi.json#/components/schemas/${name}` }, value);
    for (const fixture of ["case-study.rich", "pathway.rich", "dataset.rich"]) {
      const stored = JSON.parse(
        readFileSync(new URL(`../../schemas/fixtures/valid/${fixture}.json`, import.meta.url), "utf8"),
      ) as Record<string, unknown>;
      expect(check("Document", stored), fixture).toBe(true);
      expect(check("DocumentInput", draftFixture(fixture)), fixture).toBe(true);
      expect(check("Document", draftFixture(fixture)), `${fixture} without its managed fields`).toBe(false);
      expect(check("Document", { ...stored, unknownField: 1 }), `${fixture} with an unknown field`).toBe(false);
    }
  });
});

describe("GET /api", () => {
  it("is a readable reference of every route, rendered by the node, in both interface languages", async () => {
    const page = await (await fetch(`${node.url}/api`, { headers: { accept: "text/html" } })).text();
    expect(page).toContain("<h1>API reference</h1>");
    expect(page).toContain('<code class="method">GET</code> <code>/api/search</code>');
    expect(page).toContain('<code class="method">POST</code> <code>/api/assess</code>');
    expect(page).toContain('href="/api/openapi.json"');
    // Each answer's shape is on the page, linked from the responses that have it.
    expect(page).toContain('<a href="#schema-SearchResponse"><code>SearchResponse</code></a>');
    expect(page).toContain('<section id="schema-Error"><h3><code>Error</code></h3>');
    expect(page).not.toMatch(/<script src="https?:/);
    const korean = await (await fetch(`${node.url}/api?lang=ko`, { headers: { accept: "text/html" } })).text();
    expect(korean).toContain("<h1>API 안내</h1>");
    expect(korean).toContain("<caption>매개변수</caption>");
  });
});

describe("expectConformsToOpenApi()", () => {
  const answer = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

  it("accepts an answer the description allows, and names what is wrong with one it does not", async () => {
    const page = { total: 0, results: [], facets: { type: {}, city: {}, tag: {}, lang: {}, year: {} } };
    await expect(expectConformsToOpenApi("GET", answer(200, page), "/api/search")).resolves.toBeUndefined();
    await expect(
      expectConformsToOpenApi("GET", answer(200, { ...page, total: "none" }), "/api/search"),
    ).rejects.toThrow(/total must be integer/);
    await expect(expectConformsToOpenApi("GET", answer(418, { error: "teapot" }), "/api/search")).rejects.toThrow(
      /does not describe status 418/,
    );
    await expect(expectConformsToOpenApi("GET", answer(400, { message: "no" }), "/api/search")).rejects.toThrow(
      /must have required property 'error'/,
    );
    await expect(expectConformsToOpenApi("PATCH", answer(200, {}), "/api/items")).rejects.toThrow(/is not described/);
  });
});
