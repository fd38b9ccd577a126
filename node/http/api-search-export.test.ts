import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { readOutput, skipWithout } from "../outputs/test-readers.ts";
import { addPeerRow, apiFetch, busanCaseStudy, ingestFromBusan } from "./test-support.ts";

let node: TestServer;
const peerId = "http://busan.test/items/bus-stop-kiosks";

async function jsonIds(query: string): Promise<string[]> {
  const res = await apiFetch(`${node.url}/api/search?${query}&limit=100`);
  return ((await res.json()) as { results: { id: string }[] }).results.map((r) => r.id);
}

describeEachDatabase("search exports", (database) => {
  beforeAll(async () => {
    node = await startTestServer({ database, search: true });
    const draft = draftFixture("case-study.minimal");
    for (const [title, startYear] of [
      ["Call center for the harbour", 2004],
      ["Another call center, for buses", 2019],
    ] as const) {
      const created = await node.library.create({ ...draft, title, startYear }, { author: "test" });
      if (!created.ok) throw new Error("fixture rejected");
    }
    const korean = await node.library.create(
      {
        ...draft,
        title: "120 다산콜센터: 시민 질문에 답하는 하나의 번호",
        summary: '서울은 여러 부서의 전화를 call center 하나로, "120"번에 모았다; 쉼표, 따옴표도 그대로.',
        language: "ko",
        themes: ["service-delivery", "citizen-participation"],
        tags: ["콜센터", "민원"],
        sdgs: [11, 16],
        startYear: 2007,
      },
      { author: "test" },
    );
    if (!korean.ok) throw new Error("fixture rejected");
    await addPeerRow(node.orm, "http://busan.test/cities/busan", "Busan");
    // The peer's document claims to be Seoul's: the export names who signed it.
    await ingestFromBusan(
      node.library,
      busanCaseStudy(peerId, { title: "Bus stop kiosks with a call center button", city: "Seoul" }),
    );
    await node.search!.settled();
  });
  afterAll(async () => {
    await node?.close();
  });
  describe("GET /api/search?format=csv", () => {
    it.skipIf(skipWithout("csv"))(
      "streams every match as UTF-8 CSV with a BOM and a header, Korean intact, the same ids in the same order as the JSON search",
      async () => {
        const res = await apiFetch(`${node.url}/api/search?q=call+center&format=csv`);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
        expect(res.headers.get("content-disposition")).toMatch(
          /^attachment; filename="wego-search-\d{4}-\d\d-\d\d\.csv"$/,
        );
        const bytes = new Uint8Array(await res.arrayBuffer());
        const csv = readOutput<{ bom: boolean; rows: Record<string, string>[] }>("csv", bytes);
        expect(csv.bom).toBe(true);
        expect(Object.keys(csv.rows[0]!)).toEqual([
          "title",
          "type",
          "city",
          "country",
          "language",
          "year",
          "themes",
          "tags",
          "SDGs",
          "summary",
          "URL",
          "origin",
          "verified",
          "version",
          "updated",
        ]);
        const ids = await jsonIds("q=call+center");
        expect(ids.length).toBe(4);
        expect(csv.rows.map((r) => r.URL)).toEqual(ids);
        const korean = csv.rows.find((r) => r.language === "ko")!;
        expect(korean).toMatchObject({
          title: "120 다산콜센터: 시민 질문에 답하는 하나의 번호",
          summary: '서울은 여러 부서의 전화를 call center 하나로, "120"번에 모았다; 쉼표, 따옴표도 그대로.',
          city: "Seoul",
          country: "KR",
          year: "2007",
          themes: "service-delivery; citizen-participation",
          tags: "콜센터; 민원",
          SDGs: "11; 16",
          origin: node.identity.origin,
          verified: "true",
          version: "1",
        });
        // The peer's item is filed under the city that signed it, not the city its document names.
        expect(csv.rows.find((r) => r.URL === peerId)).toMatchObject({
          city: "Busan (busan.test)",
          origin: "http://busan.test",
        });
      },
    );
  });

  describe("GET /api/search?format=csv of hostile text", () => {
    it.skipIf(skipWithout("csv"))("writes a cell that starts like a spreadsheet formula as text", async () => {
      const created = await node.library.create(
        {
          ...draftFixture("case-study.minimal"),
          title: '=HYPERLINK("http://evil.example","ferry")',
          tags: ["@ferry", "+1"],
        },
        { author: "test" },
      );
      if (!created.ok) throw new Error("fixture rejected");
      await node.search!.settled();
      const res = await apiFetch(`${node.url}/api/search?q=hyperlink&format=csv`);
      const csv = readOutput<{ rows: Record<string, string>[] }>("csv", new Uint8Array(await res.arrayBuffer()));
      const row = csv.rows.find((r) => r.URL === created.item.id)!;
      expect(row.title).toBe(`'=HYPERLINK("http://evil.example","ferry")`);
      expect(row.tags).toBe("'@ferry; +1");
      // JSON Lines carries the text as written.
      const line = (await (await apiFetch(`${node.url}/api/search?q=hyperlink&format=jsonl`)).text()).split("\n")[0]!;
      expect(JSON.parse(line)).toMatchObject({
        title: '=HYPERLINK("http://evil.example","ferry")',
        tags: ["@ferry", "+1"],
      });
    });
  });

  describe("GET /api/search?format=jsonl", () => {
    it("streams one JSON object a line with the same ids as the JSON search, lists as arrays", async () => {
      const res = await apiFetch(`${node.url}/api/search?q=call+center&format=jsonl`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/jsonl/);
      const lines = (await res.text()).split("\n");
      expect(lines.pop()).toBe("");
      const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rows.map((r) => r.id)).toEqual(await jsonIds("q=call+center"));
      expect(rows.find((r) => r.language === "ko")).toMatchObject({
        themes: ["service-delivery", "citizen-participation"],
        sdgs: [11, 16],
        year: 2007,
        verified: true,
      });
    });

    it("answers 400 before any byte for an unknown format or a query beyond a limit", async () => {
      const bad = await apiFetch(`${node.url}/api/search?q=call&format=xlsx`);
      expect(bad.status).toBe(400);
      await expect(bad.json()).resolves.toEqual({
        error: "format must be one of json, csv, jsonl",
        details: [{ path: "format", message: "must be one of json, csv, jsonl" }],
      });
      const tooLong = await apiFetch(`${node.url}/api/search?q=${"x".repeat(65)}&format=csv`);
      expect(tooLong.status).toBe(400);
      expect(tooLong.headers.get("content-type")).toMatch(/^application\/json/);
    });
  });

  describe("GET /api/search?format=csv of a long result list", () => {
    it.skipIf(skipWithout("csv"))("exports more than one page of results: every match, not the first 20", async () => {
      const draft = draftFixture("case-study.minimal");
      for (let i = 0; i < 130; i++) {
        const created = await node.library.create({ ...draft, title: `Harbour kiosk ${i}` }, { author: "test" });
        if (!created.ok) throw new Error("fixture rejected");
      }
      await node.search!.settled();
      const res = await apiFetch(`${node.url}/api/search?q=kiosk&type=CaseStudy&format=csv`);
      expect(res.headers.get("x-total-count")).toBe("131");
      const csv = readOutput<{ rows: Record<string, string>[] }>("csv", new Uint8Array(await res.arrayBuffer()));
      expect(csv.rows.length).toBe(131);
      expect(new Set(csv.rows.map((r) => r.URL)).size).toBe(131);
      expect(csv.rows.slice(0, 100).map((r) => r.URL)).toEqual(await jsonIds("q=kiosk&type=CaseStudy"));
    });
  });
});
