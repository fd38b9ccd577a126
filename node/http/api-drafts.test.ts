import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../db/token-store.ts";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { apiFetch } from "./test-support.ts";

let s: TestServer;
let editor: string;
let otherEditor: string;
let admin: string;

function api(path: string, init: { method?: string; token?: string; json?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  return apiFetch(s.url + path, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}

describeEachDatabase("the drafts API", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database, search: true });
    editor = await createToken(s.orm, "editor", "ed");
    otherEditor = await createToken(s.orm, "editor", "ed2");
    admin = await createToken(s.orm, "admin", "ad");
  });
  afterAll(async () => s.close());
  describe("drafts through the API", () => {
    it("POST /api/items?draft=1 keeps a half-filled document unsigned and out of /api/items and search", async () => {
      const res = await api("/api/items?draft=1", {
        token: editor,
        json: { type: "Pathway", title: "Draft pathway via API" },
      });
      expect(res.status).toBe(201);
      const { draft } = (await res.json()) as { draft: { id: string; title: string; document: unknown } };
      expect(draft.id).toMatch(/^d-/);
      expect(draft.document).toEqual({ type: "Pathway", title: "Draft pathway via API" });
      expect(res.headers.get("location")).toBe(`/api/drafts?id=${draft.id}`);
      await s.search!.settled();
      const listed = (await (await api("/api/items?type=Pathway", { token: editor })).json()) as { total: number };
      expect(listed.total).toBe(0);
      const found = (await (await api("/api/search?q=pathway")).json()) as { total: number };
      expect(found.total).toBe(0);
      expect((await api("/api/items?draft=1", { json: { type: "Pathway" } })).status).toBe(401);
    });

    it("GET and DELETE /api/drafts answer only the token that made a draft, and admins", async () => {
      const res = await api("/api/items?draft=1", { token: editor, json: { type: "Dataset", title: "Mine" } });
      const { draft } = (await res.json()) as { draft: { id: string } };
      const q = `?id=${draft.id}`;
      expect((await api(`/api/drafts${q}`, { token: otherEditor })).status).toBe(404);
      const others = (await (await api("/api/drafts", { token: otherEditor })).json()) as { drafts: { id: string }[] };
      expect(others.drafts.map((d) => d.id)).not.toContain(draft.id);
      const mine = (await (await api("/api/drafts", { token: editor })).json()) as { drafts: { id: string }[] };
      expect(mine.drafts.map((d) => d.id)).toContain(draft.id);
      expect((await api(`/api/drafts${q}`, { token: admin })).status).toBe(200);
      expect((await api(`/api/drafts${q}`, { method: "DELETE", token: otherEditor })).status).toBe(404);
      expect((await api(`/api/drafts${q}`, { method: "DELETE", token: admin })).status).toBe(204);
      expect((await api(`/api/drafts${q}`, { token: editor })).status).toBe(404);
    });

    it("POST /api/drafts/publish validates fully (400 with details, draft kept), then publishes and signs", async () => {
      const half = await api("/api/items?draft=1", { token: editor, json: { type: "CaseStudy", title: "Half" } });
      const { draft } = (await half.json()) as { draft: { id: string } };
      const refused = await api(`/api/drafts/publish?id=${draft.id}`, { method: "POST", token: editor });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { details: unknown[] }).details.length).toBeGreaterThan(0);
      expect((await api(`/api/drafts?id=${draft.id}`, { token: editor })).status).toBe(200);

      const full = await api("/api/items?draft=1", {
        token: editor,
        json: { ...draftFixture("case-study.minimal"), title: "Published from an API draft" },
      });
      const made = ((await full.json()) as { draft: { id: string } }).draft;
      const published = await api(`/api/drafts/publish?id=${made.id}`, { method: "POST", token: editor });
      expect(published.status).toBe(201);
      const body = (await published.json()) as { id: string; jws: string };
      expect(body.jws).toMatch(/^[\w-]+\.\.[\w-]+$/);
      expect((await api(`/api/items?id=${encodeURIComponent(body.id)}`)).status).toBe(200);
      expect((await api(`/api/drafts?id=${made.id}`, { token: editor })).status).toBe(404);
    });

    it("POST /api/items without ?draft=1 still publishes", async () => {
      const res = await api("/api/items", {
        token: editor,
        json: { ...draftFixture("case-study.minimal"), title: "Direct" },
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { jws: string }).jws).toMatch(/\.\./);
    });
  });
});
