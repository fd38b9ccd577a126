import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../db/token-store.ts";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { busanCaseStudy } from "./test-support.ts";

// Adoption documents through the JSON API: published, listed by case, updated, deleted,
// searchable, linked to their case and pathway, and shown by the generic item page.

let s: TestServer;
let editor: string;
let caseId: string;
const busanAdoption = "http://busan.test/items/adoption-of-seoul-case";

function api(path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${editor}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${s.url}${path}`, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
}

async function adoptionsOf(caseUrl: string) {
  const res = await fetch(`${s.url}/api/items?type=Adoption&case=${encodeURIComponent(caseUrl)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { total: number; items: { id: string; city: string; version: number }[] };
}

describeEachDatabase("adoptions through the API", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database, search: true });
    editor = await createToken(s.orm, "editor", "ed");
    const made = await s.library.create(draftFixture("case-study.minimal"), { author: "test" });
    if (!made.ok) throw new Error("fixture rejected");
    caseId = made.item.id;
    // A peer's adoption of this node's case, as ingest stores it once verified.
    const ingested = await s.library.ingest({
      document: busanCaseStudy(busanAdoption, {
        type: "Adoption",
        city: "Busan",
        title: "Busan pilots Seoul's call centre",
        case: caseId,
        status: "piloting",
      }),
      jws: "eyJhbGciOiJFZERTQSJ9..c2ln",
      origin: "http://busan.test",
      provenance: { via: "http://busan.test/cities/busan", receivedAt: "2026-01-02T00:00:00Z", kid: "busan-key" },
    });
    if (!ingested.ok) throw new Error("peer adoption rejected");
  });
  afterAll(async () => {
    await s.close();
  });
  describe("Adoption through /api/items", () => {
    it("GET /api/items?type=Adoption&case=URL lists a peer's verified adoption of a local case, under the peer's host", async () => {
      const listed = await adoptionsOf(caseId);
      expect(listed.total).toBe(1);
      expect(listed.items).toEqual([expect.objectContaining({ id: busanAdoption, city: "busan.test", local: false })]);
      expect((await adoptionsOf("http://seoul.test/items/no-such-case")).total).toBe(0);
    });

    it("GET /api/items?case= answers 400 for a case that is not an http(s) URL", async () => {
      const res = await fetch(`${s.url}/api/items?type=Adoption&case=javascript:alert(1)`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { details: { path: string }[] }).details[0]?.path).toBe("case");
    });

    it("POST publishes an Adoption, PUT moves its status, DELETE removes it from its case's adoptions", async () => {
      const rich = draftFixture("adoption.rich");
      const created = await api("/api/items", { method: "POST", json: rich });
      expect(created.status).toBe(201);
      const { id, document } = (await created.json()) as { id: string; document: Record<string, unknown> };
      expect(document).toMatchObject({ type: "Adoption", status: "piloting", version: 1, case: rich.case });
      expect((await adoptionsOf(String(rich.case))).items.map((i) => i.id)).toEqual([id]);

      const put = await api(`/api/items?id=${encodeURIComponent(id)}`, {
        method: "PUT",
        json: { ...rich, status: "adopted", statusDate: "2026-06-01" },
      });
      expect(put.status).toBe(200);
      expect(((await put.json()) as { document: Record<string, unknown> }).document).toMatchObject({
        status: "adopted",
        version: 2,
      });
      expect((await adoptionsOf(String(rich.case))).items).toEqual([expect.objectContaining({ id, version: 2 })]);

      const del = await api(`/api/items?id=${encodeURIComponent(id)}`, { method: "DELETE" });
      expect(del.status).toBeLessThan(300);
      expect((await adoptionsOf(String(rich.case))).total).toBe(0);
    });

    it("POST answers 400 with the field at fault for an Adoption with an unknown status", async () => {
      const res = await api("/api/items", {
        method: "POST",
        json: { ...draftFixture("adoption.minimal"), status: "done" },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { details: { path: string }[] }).details.map((d) => d.path)).toEqual(["/status"]);
    });

    it("item links record an adoption's case and pathway", async () => {
      const rich = draftFixture("adoption.rich");
      const created = await s.library.create(rich, { author: "test" });
      if (!created.ok) throw new Error("fixture rejected");
      const rows = (await s.orm.em
        .getKnex()("item_links")
        .where({ source_id: created.item.id })
        .select("target_id", "rel")) as { target_id: string; rel: string }[];
      expect(rows).toEqual(
        expect.arrayContaining([
          { target_id: rich.case, rel: "case" },
          { target_id: rich.pathway, rel: "pathway" },
        ]),
      );
      const groups = await s.library.linkingTo(caseId);
      expect(groups.find((g) => g.type === "Adoption")?.items.map((i) => i.id)).toEqual([busanAdoption]);
    });

    it("GET /api/search?type=Adoption finds adoptions, and the type facet counts them", async () => {
      await s.search!.settled();
      const res = await fetch(`${s.url}/api/search?q=call&type=Adoption`);
      const body = (await res.json()) as {
        results: { id: string; type: string }[];
        facets: { type: Record<string, number> };
      };
      expect(body.results.length).toBeGreaterThan(0);
      expect(body.results.every((r) => r.type === "Adoption")).toBe(true);
      expect(body.results.map((r) => r.id)).toContain(busanAdoption);
      const all = (await (await fetch(`${s.url}/api/search?q=call`)).json()) as {
        facets: { type: Record<string, number> };
      };
      expect(all.facets.type.Adoption).toBeGreaterThan(0);
    });

    it("the generic item page renders a local and a peer's Adoption", async () => {
      const created = await s.library.create(draftFixture("adoption.rich"), { author: "test" });
      if (!created.ok) throw new Error("fixture rejected");
      const local = await fetch(`${s.url}${new URL(created.item.id).pathname}`, { headers: { accept: "text/html" } });
      expect(local.status).toBe(200);
      expect(await local.text()).toContain("Ulaanbaatar pilots a single city call centre");
      const peer = await fetch(`${s.url}/library/item?id=${encodeURIComponent(busanAdoption)}`, {
        headers: { accept: "text/html" },
      });
      expect(peer.status).toBe(200);
      expect(await peer.text()).toContain("Busan pilots Seoul&#39;s call centre");
    });
  });
});
