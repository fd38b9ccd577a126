import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Item, ItemVersion } from "../db/entities.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { createToken } from "../db/token-store.ts";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { apiFetch } from "./test-support.ts";

let s: TestServer;
let editor: string;
let admin: string;

function api(path: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return apiFetch(`${s.url}${path}`, { ...init, headers, body });
}

/** POSTs a raw `body` of `contentType` to /api/items as the editor (`init` for more, e.g. a streamed body's duplex). */
function postBody(body: BodyInit, contentType = "application/json", init: RequestInit = {}) {
  return api("/api/items", { ...init, method: "POST", token: editor, headers: { "content-type": contentType }, body });
}

/** PUTs `json` as the editor to the item at `?id=…` query `q`, with `headers` (e.g. If-Match). */
function put(q: string, json: unknown, headers: Record<string, string> = {}) {
  return api(`/api/items${q}`, { method: "PUT", token: editor, headers, json });
}

async function stored() {
  const em = s.orm.em.fork();
  return { items: await em.count(Item), versions: await em.count(ItemVersion) };
}

async function create(
  name = "case-study.minimal",
): Promise<{ id: string; document: Record<string, unknown>; jws: string }> {
  const res = await api("/api/items", { method: "POST", token: editor, json: draftFixture(name) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; document: Record<string, unknown>; jws: string };
}

describeEachDatabase("the items API", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database });
    editor = await createToken(s.orm, "editor", "ed");
    admin = await createToken(s.orm, "admin", "ad");
  });
  afterAll(async () => {
    await s.close();
  });

  describe("POST /api/items", () => {
    it("answers 201 with id, document and jws, and a Location header", async () => {
      const res = await api("/api/items", { method: "POST", token: editor, json: draftFixture("pathway.rich") });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: string; document: { id: string; version: number }; jws: string };
      expect(body.document.id).toBe(body.id);
      expect(body.document.version).toBe(1);
      expect(body.jws).toMatch(/^[\w-]+\.\.[\w-]+$/);
      expect(res.headers.get("location")).toBe(body.id);
    });

    it("answers 400 listing every violation as {path, message} and stores nothing", async () => {
      const before = await stored();
      const draft = draftFixture("dataset.minimal");
      delete draft.publisher;
      draft.language = "english";
      const res = await api("/api/items", { method: "POST", token: editor, json: draft });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; details: { path: string; message: string }[] };
      expect(body.error).toBe("the document is not valid");
      expect(body.details.map((d) => d.path).sort()).toEqual(["/language", "/publisher"]);
      for (const d of body.details) expect(d.message.length).toBeGreaterThan(3);
      expect(await stored()).toEqual(before);
    });

    it("answers 400 for a body that is not an object and for an unknown type", async () => {
      const arr = await api("/api/items", { method: "POST", token: editor, json: [1, 2] });
      expect(arr.status).toBe(400);
      const unknown = await api("/api/items", { method: "POST", token: editor, json: { type: "Person", title: "x" } });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { details: { path: string }[] }).details[0]?.path).toBe("/type");
    });

    it("answers 400 for malformed JSON and stores nothing", async () => {
      const before = await stored();
      const res = await postBody('{"type": "CaseStudy",');
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "request body is not valid JSON" });
      expect(await stored()).toEqual(before);
    });

    it("answers 413 for a body over 1 MB, declared or streamed", async () => {
      const big = JSON.stringify({ ...draftFixture("case-study.minimal"), body: "x".repeat(1_100_000) });
      const declared = await postBody(big);
      expect(declared.status).toBe(413);
      const stream = new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      });
      const chunked = await postBody(stream, "application/json", { duplex: "half" } as RequestInit);
      expect(chunked.status).toBe(413);
    });

    it("answers 415 for a body that is not JSON", async () => {
      const res = await postBody("hello", "text/plain");
      expect(res.status).toBe(415);
    });

    it("answers 401 without a token and with a wrong one, with a Bearer challenge", async () => {
      const before = await stored();
      const none = await api("/api/items", { method: "POST", json: draftFixture("case-study.minimal") });
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const wrong = await api("/api/items", {
        method: "POST",
        token: "wego_not-a-real-token",
        json: draftFixture("case-study.minimal"),
      });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: "the bearer token is not valid" });
      expect(await stored()).toEqual(before);
    });

    it("answers 403 when an editor changes an item that belongs to another city", async () => {
      const id = "http://busan.test/items/peer-item";
      const doc = {
        ...draftFixture("case-study.minimal"),
        id,
        attributedTo: "http://busan.test/cities/busan",
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-01T00:00:00Z",
        version: 1,
      };
      const em = s.orm.em.fork();
      await em.insert(Item, {
        id,
        type: "CaseStudy",
        origin: "http://busan.test",
        local: false,
        version: 1,
        title: "peer",
        city: "Busan",
        language: "en",
        published: doc.published,
        updated: doc.updated,
        deleted: false,
        verified: true,
        createdAt: doc.updated,
      });
      await em.insert(ItemVersion, {
        itemId: id,
        version: 1,
        document: JSON.stringify(doc),
        jws: "x..y",
        html: "{}",
        author: "peer",
        changed: "[]",
        createdAt: doc.updated,
      });
      const res = await put(`?id=${encodeURIComponent(id)}`, draftFixture("case-study.minimal"));
      expect(res.status).toBe(403);
      const del = await api(`/api/items?id=${encodeURIComponent(id)}`, { method: "DELETE", token: admin });
      expect(del.status).toBe(403);
    });
  });

  describe("GET /api/items", () => {
    it("returns one item with document, jws, origin and verified", async () => {
      const created = await create();
      const res = await api(`/api/items?id=${encodeURIComponent(created.id)}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        document: created.document,
        jws: created.jws,
        origin: "http://seoul.test",
        verified: true,
      });
      expect(res.headers.get("etag")).toBe('"1"');
    });

    it("answers 404 for an unknown id and 400 without one on the versions route", async () => {
      expect((await api(`/api/items?id=${encodeURIComponent("http://seoul.test/items/none")}`)).status).toBe(404);
      expect((await api("/api/items/versions")).status).toBe(400);
    });

    it("lists items newest first with the contract's fields, and validates filters", async () => {
      const a = await create("dataset.minimal");
      const b = await create("dataset.rich");
      const res = await api("/api/items?type=Dataset&limit=2");
      const body = (await res.json()) as { total: number; items: Record<string, unknown>[] };
      expect(body.items.map((i) => i.id)).toEqual([b.id, a.id]);
      expect(Object.keys(body.items[0]!).sort()).toEqual([
        "city",
        "id",
        "language",
        "local",
        "origin",
        "title",
        "type",
        "updated",
        "verified",
        "version",
      ]);
      expect((await api("/api/items?type=Person")).status).toBe(400);
      expect((await api("/api/items?limit=abc")).status).toBe(400);
      expect((await api("/api/items?limit=0")).status).toBe(400);
      expect((await api("/api/items?offset=-1")).status).toBe(400);
    });
  });

  describe("PUT and DELETE /api/items", () => {
    it("PUT stores a new signed version; GET version=1 still returns the first", async () => {
      const created = await create();
      const q = `?id=${encodeURIComponent(created.id)}`;
      const changed = await put(q, { ...draftFixture("case-study.minimal"), summary: "Changed summary." });
      expect(changed.status).toBe(200);
      const body = (await changed.json()) as { document: { version: number; summary: string }; jws: string };
      expect(body.document).toMatchObject({ version: 2, summary: "Changed summary." });
      expect(body.jws).not.toBe(created.jws);
      const v1 = (await (await api(`/api/items${q}&version=1`)).json()) as {
        document: { version: number };
        jws: string;
      };
      expect(v1).toMatchObject({ document: { version: 1 }, jws: created.jws });
      const history = (await (await api(`/api/items/versions${q}`, { token: editor })).json()) as {
        versions: { version: number; author: string }[];
      };
      expect(history.versions.map((v) => [v.version, v.author])).toEqual([
        [2, "ed"],
        [1, "ed"],
      ]);
    });

    it("GET /api/items/versions names the authors only to a token holder; anonymous readers get versions and dates", async () => {
      const created = await create();
      const q = `?id=${encodeURIComponent(created.id)}`;
      const anonymous = (await (await api(`/api/items/versions${q}`)).json()) as {
        versions: Record<string, unknown>[];
      };
      expect(anonymous.versions).toHaveLength(1);
      expect(anonymous.versions[0]).toMatchObject({ version: 1, createdAt: expect.any(String) });
      expect(anonymous.versions[0]).not.toHaveProperty("author");
      expect(JSON.stringify(anonymous)).not.toContain('"ed"');
      const asAdmin = (await (await api(`/api/items/versions${q}`, { token: admin })).json()) as {
        versions: { author: string }[];
      };
      expect(asAdmin.versions[0]!.author).toBe("ed");
      expect((await api(`/api/items/versions${q}`, { token: "not-a-token" })).status).toBe(401);
    });

    it("PUT with a stale If-Match answers 412 and stores nothing", async () => {
      const created = await create();
      const q = `?id=${encodeURIComponent(created.id)}`;
      expect((await put(q, draftFixture("case-study.minimal"), { "if-match": '"1"' })).status).toBe(200);
      const before = await stored();
      const stale = await put(q, draftFixture("case-study.minimal"), { "if-match": '"1"' });
      expect(stale.status).toBe(412);
      expect(stale.headers.get("etag")).toBe('"2"');
      expect(await stored()).toEqual(before);
    });

    it("PUT with an invalid document answers 400 and leaves the item at its version", async () => {
      const created = await create();
      const q = `?id=${encodeURIComponent(created.id)}`;
      const res = await put(q, { ...draftFixture("case-study.minimal"), sdgs: [18] });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { details: { path: string }[] }).details.map((d) => d.path)).toEqual(["/sdgs/0"]);
      expect(((await (await api(`/api/items${q}`)).json()) as { version: number }).version).toBe(1);
    });

    it("DELETE answers a signed Tombstone, then GET answers 410 and the listing drops it", async () => {
      const created = await create("pathway.minimal");
      const q = `?id=${encodeURIComponent(created.id)}`;
      const del = await api(`/api/items${q}`, { method: "DELETE", token: editor });
      expect(del.status).toBe(200);
      expect(await del.json()).toMatchObject({
        id: created.id,
        deleted: true,
        version: 2,
        document: { type: "Tombstone" },
      });
      expect((await api(`/api/items${q}`)).status).toBe(410);
      const list = (await (await api("/api/items?type=Pathway&limit=500")).json()) as { items: { id: string }[] };
      expect(list.items.map((i) => i.id)).not.toContain(created.id);
      expect((await api(`/api/items${q}`, { method: "DELETE", token: editor })).status).toBe(410);
      expect(
        (
          await api(`/api/items?id=${encodeURIComponent("http://seoul.test/items/none")}`, {
            method: "DELETE",
            token: editor,
          })
        ).status,
      ).toBe(404);
      expect((await api(`/api/items${q}`, { method: "DELETE" })).status).toBe(401);
    });
  });

  describe("item pages", () => {
    it("serve HTML with the sanitized body and JSON on request", async () => {
      const draft = {
        ...draftFixture("case-study.minimal"),
        title: "Safe <b>page</b>",
        body: "Text\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))",
      };
      const res = await api("/api/items", { method: "POST", token: editor, json: draft });
      const { id } = (await res.json()) as { id: string };
      const path = new URL(id).pathname;
      const page = await api(path);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
      const text = await page.text();
      expect(text).toContain("Safe &lt;b&gt;page&lt;/b&gt;");
      // The one script element is the schema.org data block, which no browser runs (structured-data.test.ts).
      const [dataBlock, ...others] = text.match(/<script[^>]*>/gi) ?? [];
      expect(dataBlock).toBe('<script type="application/ld+json">');
      expect(others).toEqual([]);
      expect(text).not.toMatch(/onerror|javascript:/i);
      const json = await api(path, { headers: { accept: "application/json" } });
      expect(((await json.json()) as { document: { id: string } }).document.id).toBe(id);
    });
  });
});
